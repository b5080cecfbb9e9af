import path from 'node:path';
import type { CliArgs } from '../args.js';
import { consoleOutput, detectPackageManager, type CreateContext } from '../context.js';
import { resolveAnswers } from '../steps/ask.js';
import { initGit } from '../steps/git.js';
import { InstallCancelledError, installDependencies } from '../steps/install.js';
import { nextSteps } from '../steps/next-steps.js';
import { renderRepo } from '../steps/render.js';
import { assertTargetUsable, displayPath } from '../steps/target.js';
import { writeAtomically } from '../steps/write.js';
import { generatorPackage } from '../version.js';

/** The create pipeline: ask → check target → render (staged) → move into place → install → git → next steps. */
export async function create(args: CliArgs): Promise<number> {
  const cwd = process.cwd();
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const checkTarget = (dir: string) => {
    const targetDir = path.resolve(cwd, dir);
    return assertTargetUsable(targetDir, args.force, displayPath(cwd, targetDir));
  };
  const { answers, dir } = await resolveAnswers(args, interactive, { checkTarget });
  const ctx: CreateContext = {
    cwd,
    targetDir: path.resolve(cwd, dir),
    answers,
    generatorVersion: generatorPackage().version,
    packageManager: detectPackageManager(),
    options: { install: args.install, git: args.git, force: args.force, dryRun: args.dryRun },
    out: consoleOutput,
  };
  const shownAs = displayPath(cwd, ctx.targetDir);
  await assertTargetUsable(ctx.targetDir, ctx.options.force, shownAs);

  if (ctx.options.dryRun) {
    const files = await renderRepo({ answers });
    ctx.out.info(`Would create ${shownAs} with ${files.size} files:`);
    for (const file of [...files.keys()].sort()) ctx.out.info(`  ${file}`);
    return 0;
  }

  const files = await writeAtomically(ctx.targetDir, (stagingDir) => renderRepo({ answers, destDir: stagingDir }), {
    onReplace: (replaced, backupDir) => {
      ctx.out.info(`Replacing ${replaced.length} existing file${replaced.length === 1 ? '' : 's'} (your versions go to ${displayPath(cwd, backupDir)}/):`);
      for (const file of replaced) ctx.out.info(`  ${file.split(path.sep).join('/')}`);
    },
  });
  ctx.out.info(`Wrote ${files.size} files to ${shownAs}`);
  // Install before the first commit, so the lockfile (which the Dockerfile's `npm ci` needs) is in it.
  const installFailure = ctx.options.install ? await installDependencies(ctx).then(() => undefined, (error: unknown) => error) : undefined;
  // After Ctrl-C the user wants the program to stop: no repository is made behind their back.
  if (ctx.options.git && !(installFailure instanceof InstallCancelledError)) await initGit(ctx);
  if (installFailure !== undefined) throw installFailure;
  ctx.out.info(nextSteps(ctx, ctx.options.install));
  return 0;
}
