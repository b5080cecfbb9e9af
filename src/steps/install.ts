import type { CreateContext } from '../context.js';
import { CliError, ExitCode } from '../errors.js';
import { startProgress } from '../progress.js';
import { displayPath } from './target.js';

/** Thrown when the user stops the install with Ctrl-C: the files are complete, only the install is not. */
export class InstallCancelledError extends CliError {
  constructor(where: string, command: string) {
    super(`cancelled during the install; the files are in ${where}: run "cd ${where} && ${command}" to finish`, ExitCode.interrupted);
    this.name = 'InstallCancelledError';
  }
}

/** Installs dependencies with the package manager that ran `create`. The files stay if it fails. */
export async function installDependencies(ctx: Pick<CreateContext, 'packageManager' | 'cwd' | 'targetDir' | 'out'>): Promise<void> {
  const { execa } = await import('execa');
  const command = `${ctx.packageManager} install`;
  const where = displayPath(ctx.cwd, ctx.targetDir);
  const progress = startProgress(`Installing dependencies (${command})`);
  const install = execa(ctx.packageManager, ['install'], { cwd: ctx.targetDir, stdin: 'ignore', all: true });
  // Ctrl-C reaches the package manager too (same process group on a terminal); pass it on in case
  // it did not, and say what to run instead of dying with no word.
  let cancelled = false;
  const onSigint = (): void => {
    cancelled = true;
    install.kill('SIGINT');
  };
  process.on('SIGINT', onSigint);
  try {
    await install;
    progress.done(`Installed dependencies (${command})`);
  } catch (error) {
    progress.fail(cancelled ? `Install cancelled (${command})` : `Install failed (${command})`);
    if (cancelled) throw new InstallCancelledError(where, command);
    const output = (error as { all?: string }).all?.trim().split('\n').slice(-15).join('\n');
    if (output) ctx.out.warn(output);
    throw new CliError(`dependency install failed; the files are in ${where}: run "cd ${where} && ${command}" to retry`);
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}
