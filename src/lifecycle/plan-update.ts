import { MANIFEST_FILE, createManifest, type Manifest } from '../render/manifest.js';
import { ownerOf, type Owner } from '../render/ownership.js';
import { mergeThreeWay } from './git.js';
import { usageError } from '../errors.js';
import { isBinary, readRepoFile, writeBlocker } from './repo.js';
import type { FileTree } from './render-version.js';

export type UpdateAction = 'replace' | 'merge' | 'conflict' | 'add' | 'remove' | 'keep';

export interface PlannedFile {
  file: string;
  action: UpdateAction;
  /** Why, in a few words, for the plan and the commit message. */
  note?: string;
  /** What to write (replace, merge, conflict, add); `remove` deletes. */
  content?: Buffer;
  /** A binary file changed on both sides: the new version, written beside the user's. */
  beside?: { file: string; content: Buffer };
}

export interface UpdatePlan {
  changes: PlannedFile[];
  manifest: Manifest;
  conflicts: PlannedFile[];
}

interface Versions {
  from: string;
  to: string;
}

/**
 * The file-by-file plan that moves a repo from `base` (the render of its recorded version) to
 * `next` (the render of the running version). Reads the repo, writes nothing.
 *
 * - the user's files, and everything `add-*` wrote: never touched;
 * - managed, unchanged by the user: replaced; changed on both sides: merged three ways, with
 *   labelled markers where both changed the same lines; a binary changed on both sides: the
 *   user's kept, the new one written beside it;
 * - deleted by the user: stays deleted, recorded so `check` stops asking for it;
 * - new in `next`: added; dropped by `next`: removed unless the user changed it.
 */
export async function planUpdate(
  root: string,
  recorded: Manifest,
  base: FileTree,
  next: FileTree,
  generator: { name: string; version: string },
): Promise<UpdatePlan> {
  const versions: Versions = { from: recorded.version, to: generator.version };
  const changes: PlannedFile[] = [];
  const nextFiles = new Map([...next].filter(([file]) => file !== MANIFEST_FILE));
  const manifest: Manifest = { ...createManifest(generator, recorded.answers, nextFiles), ...(recorded.otherKeys && { otherKeys: recorded.otherKeys }) };
  const paths = [...new Set([...base.keys(), ...nextFiles.keys()])].filter((file) => file !== MANIFEST_FILE).sort();

  for (const file of paths) {
    const entry = recorded.files[file];
    const owner: Owner = entry?.owner ?? ownerOf(file);
    const before = base.get(file);
    const after = nextFiles.get(file);
    const current = await readRepoFile(root, file);

    const nextEntry = manifest.files[file];
    if (owner === 'user' && entry !== undefined) {
      // Theirs for good: kept as recorded, even when the new version no longer writes it.
      manifest.files[file] = nextEntry === undefined ? entry : { ...nextEntry, owner: 'user' };
      continue;
    }
    if (nextEntry?.owner === 'user' && current !== undefined) continue; // a new starting point, but the user already has that file
    const planned = await planFile(file, { before, after, current, deleted: entry?.deleted === true }, versions);
    if (planned !== undefined) changes.push(planned);
    if (after === undefined && planned?.action === 'keep' && entry !== undefined) {
      // Dropped by the new version but kept because the user changed it: from now on it is theirs.
      manifest.files[file] = { owner: 'user', hash: entry.hash };
    }
    if (after !== undefined && current === undefined && nextEntry !== undefined && (before !== undefined || entry?.deleted)) {
      manifest.files[file] = { ...nextEntry, deleted: true };
    }
  }
  // Files `add-*` recorded as the user's and never rendered by any version stay recorded.
  for (const [file, entry] of Object.entries(recorded.files)) {
    if (entry.owner === 'user' && !(file in manifest.files)) manifest.files[file] = entry;
  }
  await refuseBlockedWrites(root, changes, versions.to);
  return { changes, manifest, conflicts: changes.filter((change) => change.action === 'conflict') };
}

/**
 * A user's file where the new version needs a folder, a user's folder where it writes a file, or
 * a symbolic link that would take a write or a removal out of the repo: found while planning and
 * refused (exit 64), so an update is never left half applied and never changes a file elsewhere.
 */
async function refuseBlockedWrites(root: string, changes: PlannedFile[], version: string): Promise<void> {
  const blocked: string[] = [];
  for (const target of [...changes.flatMap(writeTargets), MANIFEST_FILE]) {
    const blocker = await writeBlocker(root, target);
    if (blocker !== undefined) blocked.push(`${target} (${blocker})`);
  }
  if (blocked.length > 0) {
    throw usageError(`update cannot write what create-mcp-prod ${version} brings: ${blocked.join('; ')}. Move yours aside, commit, and run update again`);
  }
}

/** What applying a change writes or deletes. */
function writeTargets(change: PlannedFile): string[] {
  const changed = change.content !== undefined || change.action === 'remove';
  return [...(changed ? [change.file] : []), ...(change.beside === undefined ? [] : [change.beside.file])];
}

interface Sides {
  before: Buffer | undefined;
  after: Buffer | undefined;
  current: Buffer | undefined;
  deleted: boolean;
}

async function planFile(file: string, { before, after, current, deleted }: Sides, versions: Versions): Promise<PlannedFile | undefined> {
  if (after === undefined) {
    if (current === undefined) return undefined;
    if (before !== undefined && current.equals(before)) return { file, action: 'remove', note: `dropped by ${versions.to}` };
    return { file, action: 'keep', note: `dropped by ${versions.to}, but you changed it: it is yours now` };
  }
  if (current === undefined) {
    if (before !== undefined || deleted) return { file, action: 'keep', note: 'you deleted it' };
    return { file, action: 'add', content: after };
  }
  if (current.equals(after)) return undefined;
  if (before !== undefined && current.equals(before)) return { file, action: 'replace', content: after };
  if (before !== undefined && before.equals(after)) return undefined; // only the user changed it
  if (isBinary(current) || isBinary(after) || (before !== undefined && isBinary(before))) {
    const beside = `${file}.create-mcp-prod-${versions.to}`;
    return { file, action: 'conflict', note: `binary, changed on both sides: yours kept, ${versions.to}'s written to ${beside}`, beside: { file: beside, content: after } };
  }
  const merged = await mergeThreeWay(
    { ours: current, base: before ?? Buffer.alloc(0), theirs: after },
    { ours: `${file} (yours)`, base: `${file} (create-mcp-prod ${versions.from})`, theirs: `${file} (create-mcp-prod ${versions.to})` },
  );
  if (merged.conflicts > 0) {
    return { file, action: 'conflict', note: `${merged.conflicts} conflicting section(s), marked`, content: merged.content };
  }
  return { file, action: 'merge', note: `your edit and ${versions.to}'s both kept`, content: merged.content };
}
