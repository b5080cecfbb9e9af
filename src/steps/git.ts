import type { CreateContext } from '../context.js';

/**
 * `git init` and a first commit, so `create-mcp-prod update` later has a clean base to merge
 * against. Skipped inside an existing work tree; a missing git is a warning, not a failure.
 */
export async function initGit(ctx: Pick<CreateContext, 'targetDir' | 'generatorVersion' | 'out'>): Promise<void> {
  const { execa } = await import('execa');
  const git = (args: string[]) => execa('git', args, { cwd: ctx.targetDir, stdin: 'ignore' });
  try {
    const inside = await git(['rev-parse', '--is-inside-work-tree']).then(
      (result) => result.stdout.trim() === 'true',
      () => false,
    );
    if (inside) {
      ctx.out.info('  git: already inside a git work tree, not creating a new repository');
      return;
    }
    await git(['init', '--quiet']);
    await git(['add', '--all']);
    const identity = await git(['config', 'user.email']).then(
      () => [],
      () => ['-c', 'user.name=create-mcp-prod', '-c', 'user.email=create-mcp-prod@users.noreply.local'],
    );
    await git([...identity, 'commit', '--quiet', '--no-verify', '-m', `Initial commit from create-mcp-prod ${ctx.generatorVersion}`]);
    ctx.out.info('  git: initialised with a first commit');
  } catch (error) {
    const reason = (error as { code?: string }).code === 'ENOENT' ? 'git is not installed' : firstLine(error);
    ctx.out.warn(`  git: skipped (${reason})`);
  }
}

function firstLine(error: unknown): string {
  const text = (error as { shortMessage?: string }).shortMessage ?? String(error);
  return text.split('\n')[0] ?? text;
}
