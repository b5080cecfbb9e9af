import type { CreateContext } from '../context.js';
import { CliError } from '../errors.js';
import { startProgress } from '../progress.js';
import { displayPath } from './target.js';

/** Installs dependencies with the package manager that ran `create`. The files stay if it fails. */
export async function installDependencies(ctx: CreateContext): Promise<void> {
  const { execa } = await import('execa');
  const command = `${ctx.packageManager} install`;
  const progress = startProgress(`Installing dependencies (${command})`);
  try {
    await execa(ctx.packageManager, ['install'], { cwd: ctx.targetDir, stdin: 'ignore', all: true });
    progress.done(`Installed dependencies (${command})`);
  } catch (error) {
    progress.fail(`Install failed (${command})`);
    const output = (error as { all?: string }).all?.trim().split('\n').slice(-15).join('\n');
    if (output) ctx.out.warn(output);
    const where = displayPath(ctx.cwd, ctx.targetDir);
    throw new CliError(`dependency install failed; the files are in ${where}: run "cd ${where} && ${command}" to retry`);
  }
}
