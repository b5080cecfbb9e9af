import { readFileSync } from 'node:fs';
import { access, chmod, constants, lstat, mkdir, readFile, readdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileSystemError, usageError } from '../errors.js';
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
    const file = path.join(dir, MANIFEST_FILE);
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      if (error.code === 'EISDIR') throw usageError(`${file} is a folder: create-mcp-prod records this repo in a file of that name`);
      throw fileSystemError(error, `cannot read ${file}`);
    });
    if (text !== undefined) {
      try {
        return { root: dir, manifest: parseManifest(text) };
      } catch (error) {
        if (error instanceof ManifestError) throw usageError(`${file}: ${error.message}`);
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

/**
 * Why `file` cannot be written, or undefined when it can: a symbolic link that leads out of the
 * repo, a folder where the file goes, or a file where one of its folders goes. Only what exists is
 * looked at; missing folders are made on write.
 */
export async function writeBlocker(root: string, file: string): Promise<string | undefined> {
  const escape = await linkOutOfRepo(root, file);
  if (escape !== undefined) return escape;
  const parts = file.split('/');
  for (let depth = 1; depth <= parts.length; depth++) {
    const prefix = parts.slice(0, depth).join('/');
    const found = await stat(repoPath(root, prefix)).catch(() => undefined);
    if (found === undefined) return undefined;
    if (depth === parts.length) return found.isDirectory() ? 'a folder here, not a file' : undefined;
    if (!found.isDirectory()) return `${prefix} is a file here, not a folder`;
  }
  return undefined;
}

/**
 * A symbolic link on the way to `file` (the file itself or one of its folders) that leads out of
 * the repo, or nowhere: writing `file` would change something outside the repo, which a command
 * run in a repo must never do. Links that stay inside the repo are followed like folders.
 */
async function linkOutOfRepo(root: string, file: string): Promise<string | undefined> {
  const realRoot = await realpath(root);
  const parts = file.split('/');
  for (let depth = 1; depth <= parts.length; depth++) {
    const prefix = parts.slice(0, depth).join('/');
    const entry = await lstat(repoPath(root, prefix)).catch(() => undefined);
    if (entry === undefined) return undefined;
    if (!entry.isSymbolicLink()) continue;
    // A broken link counts as leading out: writing to it would create its target, wherever that is.
    const target = await realpath(repoPath(root, prefix)).catch(() => undefined);
    if (target === undefined || !isWithin(realRoot, target)) return `${prefix} is a symbolic link out of the repo`;
  }
  return undefined;
}

function isWithin(folder: string, target: string): boolean {
  const relative = path.relative(folder, target);
  return relative === '' || (relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative));
}

/**
 * Writes a file of the repo all at once: the content goes to a temporary file beside it, which
 * then takes its place. A full disk or a killed process leaves the old file whole, never half of
 * the new one. The file keeps its permissions, and a link inside the repo still leads where it did
 * (the file it leads to is the one replaced).
 */
export async function writeRepoFile(root: string, file: string, content: string | Uint8Array): Promise<void> {
  const target = repoPath(root, file);
  await mkdir(path.dirname(target), { recursive: true });
  const destination = await realpath(target).catch(() => target);
  const mode = await stat(destination).then(
    (existing) => existing.mode & 0o7777,
    () => undefined,
  );
  // Replacing a file needs only the folder's permission: a file its owner made read-only stays refused.
  if (mode !== undefined) await access(destination, constants.W_OK);
  const temporary = path.join(path.dirname(destination), `.${path.basename(destination)}.${process.pid}.tmp`);
  try {
    await writeFile(temporary, content, { flag: 'w' });
    // Set after writing: the mode given to open() is narrowed by the umask.
    if (mode !== undefined) await chmod(temporary, mode);
    await rename(temporary, destination);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
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

/**
 * Left by a merge that needs a person: a `<<<<<<<` line, then a `=======` line, then a `>>>>>>>`
 * line, in that order. The outer markers may carry a label or none, and any line may end in CRLF;
 * requiring all three keeps a lone `=======` out.
 */
const CONFLICT_MARKER_LINES = [/^<{7}(?: .*)?$/, /^={7}$/, /^>{7}(?: .*)?$/];

/**
 * One pass over the lines, taking the first line that matches each marker in turn (the earliest
 * match never misses a later one). A single regular expression spanning the three lines
 * backtracks: a file of many `<<<<<<<` and `=======` lines and no `>>>>>>>` took minutes.
 */
export function hasConflictMarkers(content: Uint8Array): boolean {
  if (isBinary(content)) return false;
  let found = 0;
  for (const line of Buffer.from(content).toString('utf8').split(/\r\n|[\n\r\u2028\u2029]/)) {
    if (CONFLICT_MARKER_LINES[found]?.test(line) && ++found === CONFLICT_MARKER_LINES.length) return true;
  }
  return false;
}
