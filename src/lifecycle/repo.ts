import { readFileSync } from 'node:fs';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { usageError } from '../errors.js';
import { MANIFEST_FILE, ManifestError, parseManifest, serializeManifest, type Manifest } from '../render/manifest.js';

/** A repo made by create-mcp-prod: its root folder and its parsed `.mcp-prod.json`. */
export interface GeneratedRepo {
  root: string;
  manifest: Manifest;
}

/** Finds the repo from `cwd` upwards by its `.mcp-prod.json`; outside one, a usage error. */
export async function findGeneratedRepo(cwd: string): Promise<GeneratedRepo> {
  let dir = path.resolve(cwd);
  for (;;) {
    const text = await readFile(path.join(dir, MANIFEST_FILE), 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });
    if (text !== undefined) {
      try {
        return { root: dir, manifest: parseManifest(text) };
      } catch (error) {
        if (error instanceof ManifestError) throw usageError(`${path.join(dir, MANIFEST_FILE)}: ${error.message}`);
        throw error;
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw usageError(`not a generated repo: no ${MANIFEST_FILE} in ${cwd} or any folder above it`);
    dir = parent;
  }
}

export function repoPath(root: string, file: string): string {
  return path.join(root, ...file.split('/'));
}

/** A file's bytes, or undefined when it does not exist. */
export async function readRepoFile(root: string, file: string): Promise<Buffer | undefined> {
  return readFile(repoPath(root, file)).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR' || error.code === 'EISDIR') return undefined;
    throw error;
  });
}

/** `readRepoFile` as plain system calls: for reading a whole repo, where promises cost more CPU than the reads. */
export function readRepoFileSync(root: string, file: string): Buffer | undefined {
  try {
    return readFileSync(repoPath(root, file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') return undefined;
    throw error;
  }
}

export async function writeRepoFile(root: string, file: string, content: string | Uint8Array): Promise<void> {
  const target = repoPath(root, file);
  await mkdir(path.dirname(target), { recursive: true });
  await writeFile(target, content);
}

export async function writeManifest(root: string, manifest: Manifest): Promise<void> {
  await writeRepoFile(root, MANIFEST_FILE, serializeManifest(manifest));
}

/** Folders that hold what the repo's tools made, not what anyone wrote. */
const NOT_SOURCE = new Set(['.git', 'node_modules', 'dist', 'coverage']);

/** Every file of the repo except build output and dependencies, as POSIX relative paths. */
export async function listRepoFiles(root: string, dir = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await readdir(path.join(root, dir), { withFileTypes: true })) {
    if (NOT_SOURCE.has(entry.name)) continue;
    const relative = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await listRepoFiles(root, relative)));
    else if (entry.isFile()) files.push(relative);
  }
  return files.sort();
}

export function isBinary(content: Uint8Array): boolean {
  return content.subarray(0, 8000).includes(0);
}

/** Left by a merge that needs a person: a `<<<<<<< ` line followed later by a `>>>>>>> ` line. */
export function hasConflictMarkers(content: Uint8Array): boolean {
  if (isBinary(content)) return false;
  return /^<{7} .*\n[\s\S]*?^>{7} /m.test(Buffer.from(content).toString('utf8'));
}
