import { chmod, rm, stat } from 'node:fs/promises';
import type { CliArgs } from '../args.js';
import { consoleOutput, type Output } from '../context.js';
import { CliError, ExitCode, fileSystemError, usageError } from '../errors.js';
import { branchExists, commitOnNewBranch, workTreeState } from '../lifecycle/git.js';
import { planUpdate, type PlannedFile, type UpdatePlan } from '../lifecycle/plan-update.js';
import { withRepoLock } from '../lifecycle/repo-lock.js';
import { renderInProcess, renderVersion } from '../lifecycle/render-version.js';
import { findGeneratedRepo, readRepoFile, repoPath, writeManifest, writeRepoFile } from '../lifecycle/repo.js';
import { compareVersions } from '../lifecycle/versions.js';
import { MANIFEST_FILE, serializeManifest } from '../render/manifest.js';
import { holdStopSignals, signalExitCode, type StopSignal } from '../stop-signals.js';
import { generatorPackage } from '../version.js';

/**
 * `update`: moves the repo to the running version. The merge base is the recorded version
 * rendered by its own package; the plan is computed in full, then written at once (or shown with
 * --dry-run). 0 done; 1 conflicts left (listed, marked in the files); 64 usage (not a generated
 * repo, a bad manifest, dirty tree, a downgrade, a user's file or folder in the way of a new one,
 * an existing update branch with --commit); 69 the recorded version cannot be rendered; 75 another
 * command is changing the repo. Every refusal comes before anything is written.
 */
export async function update(args: CliArgs, cwd = process.cwd(), out: Output = consoleOutput): Promise<number> {
  const { root } = await findGeneratedRepo(cwd);
  // Held from the first read to the commit, so an add-* run cannot change files between our plan
  // and our writes. --dry-run writes nothing and does not keep other commands out.
  return args.dryRun ? updateRepo(root, cwd, args, out) : withRepoLock(root, () => updateRepo(root, cwd, args, out));
}

/** `cwd` is where the user ran us: a relative --from-package is theirs. */
async function updateRepo(root: string, cwd: string, args: CliArgs, out: Output): Promise<number> {
  const { manifest } = await findGeneratedRepo(root);
  const generator = generatorPackage();
  if (compareVersions(generator.version, manifest.version) < 0) {
    throw usageError(`this repo is at create-mcp-prod ${manifest.version}, newer than the running ${generator.version}: run npx create-mcp-prod@${manifest.version} instead`);
  }
  const tree = await workTreeState(root);
  if (tree.state === 'not-a-repo') throw usageError('update needs a git repository, so nothing it changes can be lost: run "git init" and commit first');
  if (tree.state === 'unreadable') throw usageError(`update cannot read the repo's git status: ${tree.reason}`);
  if (tree.state === 'dirty' && !args.dryRun) throw usageError(`update needs a clean git work tree (commit or stash first): ${tree.paths.join(', ')}`);
  if (!args.dryRun && !args.yes && !process.stdin.isTTY) throw usageError('update changes files: pass --yes to run it without a terminal (or --dry-run to see the plan)');

  const base = await renderVersion(manifest.version, manifest.answers, { cwd, ...(args.fromPackage !== undefined && { fromPackage: args.fromPackage }) });
  const next = await renderInProcess(manifest.answers);
  const plan = await planUpdate(root, manifest, base, next, generator);
  const title = `create-mcp-prod ${manifest.version} → ${generator.version}`;
  const lines = plan.changes.map(describe);
  const idle = await changesNothing(root, plan);
  const branch = `create-mcp-prod/update-${generator.version}`;
  if (args.commit && !args.dryRun && !idle && (await branchExists(root, branch))) {
    throw usageError(`branch ${branch} already exists: delete or rename it, or run update without --commit`);
  }

  if (args.dryRun) {
    out.info(`${title}: ${summary(plan)}${plan.changes.length > 0 ? '\n' : ''}${lines.join('\n')}`);
    return ExitCode.ok;
  }
  if (!idle && !args.yes && !(await confirm(`${title}: ${summary(plan)}\n${lines.join('\n')}\nApply?`))) return ExitCode.interrupted;

  if (!idle) await apply(root, plan);
  out.info(`${title}: ${summary(plan)}${plan.changes.length > 0 ? '\n' : ''}${lines.join('\n')}`);
  if (args.commit && idle) out.info('Nothing to commit: the repo is up to date.');
  else if (args.commit) {
    await commitOnNewBranch(root, branch, commitMessage(generator.version, title, plan, lines)).catch((error: unknown) => {
      throw new CliError(`updated the files, but could not commit them on ${branch}: ${(error as Error).message}`);
    });
    out.info(`Committed on branch ${branch}.`);
  }
  if (plan.conflicts.length > 0) {
    out.warn(`${plan.conflicts.length} conflict(s) to resolve: ${plan.conflicts.map((change) => change.file).join(', ')}`);
    return ExitCode.failure;
  }
  return ExitCode.ok;
}

/**
 * Everything is computed before this runs, so a failure cannot come from a half-made plan. A write
 * that fails anyway (a read-only file, a full disk), or Ctrl-C or `kill` meanwhile, puts back each
 * file already changed, so the repo is left as it was, not half updated with its manifest at the
 * old version.
 */
async function apply(root: string, plan: UpdatePlan): Promise<void> {
  const journal: SavedFile[] = [];
  let current = MANIFEST_FILE;
  const stopSignals = holdStopSignals();
  const change = async (file: string, write: () => Promise<void>): Promise<void> => {
    if (stopSignals.received !== undefined) throw new StoppedBySignal(stopSignals.received);
    current = file;
    const mode = await stat(repoPath(root, file)).then((found) => found.mode, () => undefined);
    journal.push({ file, content: await readRepoFile(root, file), mode });
    await write();
  };
  try {
    for (const planned of plan.changes) {
      const { file, content, beside } = planned;
      if (planned.action === 'remove') await change(file, () => rm(repoPath(root, file), { force: true }));
      else if (content !== undefined) await change(file, () => writeRepoFile(root, file, content));
      if (beside) await change(beside.file, () => writeRepoFile(root, beside.file, beside.content));
    }
    await change(MANIFEST_FILE, () => writeManifest(root, plan.manifest));
    // A signal during the last write still undoes the update: the run ends as cancelled, so nothing may stay changed.
    if (stopSignals.received !== undefined) throw new StoppedBySignal(stopSignals.received);
  } catch (error) {
    const restored = await undo(root, journal);
    const outcome = restored ? 'nothing changed' : 'some files could not be put back: "git status" lists them, and its tree was clean before';
    if (error instanceof StoppedBySignal) throw new CliError(`update cancelled; ${outcome}`, signalExitCode(error.signal));
    throw fileSystemError(error, `update failed writing ${current}, ${outcome}`);
  } finally {
    stopSignals.release();
  }
}

class StoppedBySignal extends Error {
  constructor(readonly signal: StopSignal) {
    super(`stopped by ${signal}`);
  }
}

/** A file as it was before `apply` changed it: its content and mode, or undefined when it did not exist. */
interface SavedFile {
  file: string;
  content: Buffer | undefined;
  mode: number | undefined;
}

/** Puts each saved file back as it was, last change first; false if any could not be. */
async function undo(root: string, journal: SavedFile[]): Promise<boolean> {
  let restored = true;
  for (const { file, content, mode } of journal.reverse()) {
    const target = repoPath(root, file);
    try {
      // The write that failed may have changed nothing (a read-only file): then there is nothing to put back.
      const now = await readRepoFile(root, file);
      if (now === undefined ? content === undefined : content?.equals(now)) continue;
      if (content === undefined) await rm(target, { force: true });
      else {
        await writeRepoFile(root, file, content);
        // A removed file comes back with its mode (an executable script stays one).
        if (mode !== undefined && (await stat(target)).mode !== mode) await chmod(target, mode);
      }
    } catch {
      restored = false;
    }
  }
  return restored;
}

/** Whether applying the plan would leave every file as it is (the repo is up to date): then there is nothing to write or commit. */
async function changesNothing(root: string, plan: UpdatePlan): Promise<boolean> {
  if (plan.changes.some((change) => change.action !== 'keep')) return false;
  const recorded = await readRepoFile(root, MANIFEST_FILE);
  return recorded?.toString('utf8') === serializeManifest(plan.manifest);
}

function describe(change: PlannedFile): string {
  return `${change.action.padEnd(8)} ${change.file}${change.note ? ` (${change.note})` : ''}`;
}

function summary(plan: UpdatePlan): string {
  if (plan.changes.length === 0) return 'nothing to change';
  const counts = new Map<string, number>();
  for (const change of plan.changes) counts.set(change.action, (counts.get(change.action) ?? 0) + 1);
  return [...counts].map(([action, count]) => `${count} ${action}`).join(', ');
}

/** The subject says whether the pull request needs a person; the body is the plan. */
function commitMessage(version: string, title: string, plan: UpdatePlan, lines: string[]): string {
  const subject = plan.conflicts.length > 0 ? `Update to ${version}: ${plan.conflicts.length} conflict(s) to resolve` : `Update to ${version}`;
  return `${subject}\n\n${title}: ${summary(plan)}\n\n${lines.join('\n')}\n`;
}

async function confirm(message: string): Promise<boolean> {
  const { default: prompts } = await import('prompts');
  const { ok } = await prompts({ type: 'confirm', name: 'ok', message, initial: true });
  return ok === true;
}
