import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach } from 'vitest';

/**
 * Returns a factory for temp dirs under os.tmpdir(); every dir it made is removed after each test.
 * Call it at module or describe level.
 */
export function useTempDirs(prefix = 'create-mcp-prod-test-'): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
    made.push(dir);
    return dir;
  };
}

/** Writes `{ 'a/b.txt': 'content' }` under root, creating folders. */
export async function writeTree(root: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [relative, content] of Object.entries(files)) {
    const file = path.join(root, ...relative.split('/'));
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
}

/** Every file under root (dotfiles included), keyed by POSIX relative path, as raw bytes. */
export async function readTree(root: string): Promise<Map<string, Buffer>> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = new Map<string, Buffer>();
  const relatives = entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
  for (const relative of relatives) files.set(relative, await readFile(path.join(root, ...relative.split('/'))));
  return files;
}

/** A snapshot of a tree as sorted `[path, utf8 content]` pairs, for exact before/after comparisons. */
export async function snapshotTree(root: string): Promise<[string, string][]> {
  return [...(await readTree(root)).entries()].map(([file, content]) => [file, content.toString('utf8')]);
}

export async function exists(file: string): Promise<boolean> {
  return readdir(path.dirname(file)).then(
    (names) => names.includes(path.basename(file)),
    () => false,
  );
}

/** Content of a rendered file (string or Buffer) as text. */
export function text(content: string | Uint8Array | undefined): string {
  if (content === undefined) throw new Error('file was not rendered');
  return typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
}
