import { lstat, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CliError, ExitCode, fileSystemError } from '../errors.js';

/**
 * The target must not exist, or be an empty directory, unless `--force`. A non-empty target is
 * an error that lists what is there, so nobody loses files to a typo.
 */
export async function assertTargetUsable(targetDir: string, force: boolean, shownAs: string): Promise<void> {
  const entry = await lstat(targetDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw fileSystemError(error, `cannot use ${shownAs} as the target`);
  });
  if (entry === undefined) return;
  // A symbolic link to a directory is used as that directory; a broken one is refused, not replaced.
  const found = await stat(targetDir).catch(() => undefined);
  if (found === undefined) throw new CliError(`target ${shownAs} is a broken symbolic link`);
  if (!found.isDirectory()) throw new CliError(`target ${shownAs} exists and is not a directory`);
  if (force) return;
  const entries = (
    await readdir(targetDir).catch((error: unknown) => {
      throw fileSystemError(error, `cannot use ${shownAs} as the target`);
    })
  ).sort();
  if (entries.length === 0) return;
  const shown = entries.slice(0, 5).join(', ');
  const more = entries.length > 5 ? ` and ${entries.length - 5} more` : '';
  throw new CliError(
    `target directory ${shownAs} is not empty (contains ${shown}${more}); choose another directory or pass --force`,
    ExitCode.failure,
  );
}

/** How to show a path to the user: relative to where they ran the command when that is shorter. */
export function displayPath(cwd: string, target: string): string {
  const relative = path.relative(cwd, target);
  return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? target : relative;
}
