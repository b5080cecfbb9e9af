import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LOCK_FILE } from './repo-lock.js';
import { isBinary } from './repo.js';

async function git(args: string[], cwd: string) {
  const { execa } = await import('execa');
  return execa('git', args, { cwd, reject: false, stdin: 'ignore', encoding: 'buffer' });
}

async function withScratch<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'create-mcp-prod-git-'));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A unified diff from what the generator wrote to what the repo holds, headed with both labels. */
export async function unifiedDiff(expected: Buffer, actual: Buffer, labels: { expected: string; actual: string }): Promise<string> {
  if (isBinary(expected) || isBinary(actual)) return `Binary files ${labels.expected} and ${labels.actual} differ\n`;
  return withScratch(async (dir) => {
    await writeFile(path.join(dir, 'expected'), expected);
    await writeFile(path.join(dir, 'actual'), actual);
    const result = await git(['diff', '--no-index', '--no-color', '--no-ext-diff', '--', 'expected', 'actual'], dir);
    const text = Buffer.from(result.stdout).toString('utf8');
    const hunks = text.slice(Math.max(0, text.indexOf('\n@@') + 1));
    return `--- ${labels.expected}\n+++ ${labels.actual}\n${hunks}`;
  });
}

export interface MergeResult {
  content: Buffer;
  conflicts: number;
}

/**
 * Three-way merge of one file with `git merge-file --diff3`: changes from both sides are kept,
 * and where both changed the same lines the result holds labelled conflict markers (never a
 * `.rej` file).
 */
export async function mergeThreeWay(
  sides: { ours: Buffer; base: Buffer; theirs: Buffer },
  labels: { ours: string; base: string; theirs: string },
): Promise<MergeResult> {
  return withScratch(async (dir) => {
    await Promise.all([
      writeFile(path.join(dir, 'ours'), sides.ours),
      writeFile(path.join(dir, 'base'), sides.base),
      writeFile(path.join(dir, 'theirs'), sides.theirs),
    ]);
    const result = await git(
      ['merge-file', '--diff3', '-L', labels.ours, '-L', labels.base, '-L', labels.theirs, 'ours', 'base', 'theirs'],
      dir,
    );
    const code = result.exitCode ?? 255;
    if (code > 127) throw new Error(`git merge-file failed: ${Buffer.from(result.stderr).toString('utf8').trim()}`);
    return { content: await readFile(path.join(dir, 'ours')), conflicts: code };
  });
}

/**
 * `clean`, `dirty` (with the first few paths) or `not-a-repo`. The repo lock does not count: the
 * command asking holds it, and repos generated before the lock existed do not ignore it.
 */
export async function workTreeState(
  root: string,
): Promise<{ state: 'clean' } | { state: 'dirty'; paths: string[] } | { state: 'not-a-repo' } | { state: 'unreadable'; reason: string }> {
  const result = await git(['status', '--porcelain', '--untracked-files=all'], root);
  if (result.exitCode !== 0) {
    // Git refuses some repos it finds (owned by another user: "dubious ownership"), or is missing:
    // "run git init" would be wrong advice there.
    const text = (result as { code?: string }).code === 'ENOENT' ? 'git is not installed' : Buffer.from(result.stderr).toString('utf8').trim() || 'git failed';
    const reason = text.split('\n')[0] ?? text;
    return /not a git repository/i.test(reason) ? { state: 'not-a-repo' } : { state: 'unreadable', reason };
  }
  const lines = Buffer.from(result.stdout)
    .toString('utf8')
    .split('\n')
    .filter((line) => line !== '' && line !== `?? ${LOCK_FILE}`);
  return lines.length === 0 ? { state: 'clean' } : { state: 'dirty', paths: lines.slice(0, 5).map((line) => line.slice(3)) };
}

export async function branchExists(root: string, branch: string): Promise<boolean> {
  return (await git(['rev-parse', '--verify', '--quiet', `refs/heads/${branch}`], root)).exitCode === 0;
}

/**
 * Commits everything but the repo lock on a new branch. The lock is taken back out after adding
 * everything, not left out by a pathspec: naming a file .gitignore ignores (as generated repos do)
 * makes `git add` fail. Where git knows no identity (a CI runner), it commits as create-mcp-prod.
 */
export async function commitOnNewBranch(root: string, branch: string, message: string): Promise<void> {
  const identity = await fallbackIdentity(root);
  const steps = [
    ['checkout', '-q', '-b', branch],
    ['add', '-A'],
    ['rm', '--cached', '-q', '--ignore-unmatch', '--', LOCK_FILE],
    ['commit', '-q', '--no-verify', '-m', message],
  ];
  for (const [command = '', ...rest] of steps) {
    const result = await git([...(command === 'commit' ? identity : []), command, ...rest], root);
    if (result.exitCode !== 0) throw new Error(`git ${command} failed: ${gitReason(result)}`);
  }
}

/** `-c` options naming create-mcp-prod as author, when git cannot tell who commits; none when it can. */
async function fallbackIdentity(cwd: string): Promise<string[]> {
  const known = await Promise.all(['GIT_AUTHOR_IDENT', 'GIT_COMMITTER_IDENT'].map(async (name) => (await git(['var', name], cwd)).exitCode === 0));
  return known.every(Boolean) ? [] : ['-c', 'user.name=create-mcp-prod', '-c', 'user.email=create-mcp-prod@users.noreply.local'];
}

/**
 * Git writes some refusals ("nothing to commit", a hook's output) to stdout, leaving stderr empty.
 * Folded onto one line, as every error the CLI prints is.
 */
function gitReason(result: { stdout: Uint8Array; stderr: Uint8Array; exitCode?: number }): string {
  const text = (stream: Uint8Array) => Buffer.from(stream).toString('utf8').trim().replace(/\s*\n\s*/g, '; ');
  return text(result.stderr) || text(result.stdout) || `exit ${String(result.exitCode)}`;
}
