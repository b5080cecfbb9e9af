import { statSync } from 'node:fs';
import { MANIFEST_FILE, type Manifest } from '../render/manifest.js';
import { ownerOf } from '../render/ownership.js';
import { unifiedDiff } from './git.js';
import { hasConflictMarkers, listRepoFiles, readRepoFileSync, repoPath } from './repo.js';
import type { FileTree } from './render-version.js';

export interface Drift {
  file: string;
  kind: 'modified' | 'missing' | 'conflict-markers';
  /** For `modified`: from what the generator wrote to what the repo holds. */
  diff?: string;
}

/** Files above this are not read: far above any file the generator writes or a person merges by hand. */
const MAX_READ_BYTES = 64 * 1024 * 1024;

function repoFileSize(root: string, file: string): number {
  return statSync(repoPath(root, file), { throwIfNoEntry: false })?.size ?? 0;
}

/**
 * How the repo differs from `expected` (the render of its recorded version): managed files
 * edited or missing, and conflict markers left in any file. The user's files, and managed files
 * the user deleted and `update` recorded as deleted, are not compared.
 */
export async function findDrift(root: string, manifest: Manifest, expected: FileTree): Promise<Drift[]> {
  // Every file of the repo is read once: searched for conflict markers, and kept only when it is
  // one to compare with the render.
  const conflicts: Drift[] = [];
  const compared = new Map<string, Buffer>();
  const tooLarge = new Set<string>();
  for (const file of await listRepoFiles(root)) {
    // A data file or a dump: not read, as no merge marks it; Node could not read one over 2 GiB at all.
    if (repoFileSize(root, file) > MAX_READ_BYTES) {
      tooLarge.add(file);
      continue;
    }
    const content = readRepoFileSync(root, file);
    if (content === undefined) continue;
    if (hasConflictMarkers(content)) conflicts.push({ file, kind: 'conflict-markers' });
    if (expected.has(file)) compared.set(file, content);
  }

  const drift: Drift[] = [];
  for (const [file, content] of expected) {
    if (file === MANIFEST_FILE) continue;
    const entry = manifest.files[file];
    if ((entry?.owner ?? ownerOf(file)) === 'user' || entry?.deleted) continue;
    if (tooLarge.has(file)) {
      drift.push({ file, kind: 'modified', diff: `${file} is ${repoFileSize(root, file)} bytes, too large to compare\n` });
      continue;
    }
    const actual = compared.get(file) ?? readRepoFileSync(root, file);
    if (actual === undefined) drift.push({ file, kind: 'missing' });
    else if (!actual.equals(content) && !(file === 'package.json' && packageJsonCovers(content, actual))) {
      const diff = await unifiedDiff(content, actual, { expected: `${file} (create-mcp-prod ${manifest.version})`, actual: `${file} (this repo)` });
      drift.push({ file, kind: 'modified', diff });
    }
  }
  return [...drift, ...conflicts];
}

/**
 * `package.json` is managed, but a user adds dependencies and scripts to it every day: it is in
 * sync while every entry the generator wrote is still there with its value. Anything else the
 * user added is theirs.
 */
export function packageJsonCovers(expected: Buffer, actual: Buffer): boolean {
  try {
    return covers(JSON.parse(expected.toString('utf8')), JSON.parse(actual.toString('utf8')));
  } catch {
    return false;
  }
}

function covers(expected: unknown, actual: unknown): boolean {
  if (isObject(expected) && isObject(actual)) return Object.entries(expected).every(([key, value]) => key in actual && covers(value, actual[key]));
  return JSON.stringify(expected) === JSON.stringify(actual);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
