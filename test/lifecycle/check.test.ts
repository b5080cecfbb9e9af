import { appendFile, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/args.js';
import { check } from '../../src/commands/check.js';
import type { Output } from '../../src/context.js';
import { CliError } from '../../src/errors.js';
import { renderRepo } from '../../src/steps/render.js';
import { useTempDirs } from '../helpers/fs.js';

const tempDir = useTempDirs('check-');

async function freshRepo(): Promise<string> {
  const root = path.join(await tempDir(), 'repo');
  await renderRepo({ answers: { name: 'demo', description: 'd', transports: ['stdio', 'http'], db: 'none' }, destDir: root });
  return root;
}

async function runCheck(cwd: string, argv: string[] = []): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const out: Output = { info: (line) => lines.push(line), warn: (line) => lines.push(line) };
  const code = await check(parseCliArgs(['check', ...argv]), cwd, out);
  return { code, text: lines.join('\n') };
}

describe('check', () => {
  it('passes on a fresh repo, from any folder inside it', async () => {
    const root = await freshRepo();
    expect(await runCheck(path.join(root, 'src', 'lib'))).toEqual({ code: 0, text: expect.stringContaining('In sync with create-mcp-prod') });
  });

  it('fails after an edit to a managed file, naming it with a diff', async () => {
    const root = await freshRepo();
    await appendFile(path.join(root, 'src', 'lib', 'lock.ts'), '// my change\n');
    const { code, text } = await runCheck(root);
    expect(code).toBe(1);
    expect(text).toContain('modified  src/lib/lock.ts (managed)');
    expect(text).toContain('--- src/lib/lock.ts (create-mcp-prod');
    expect(text).toContain('+// my change');
  });

  it('names a missing managed file; ignores the user’s files and dependencies added to package.json', async () => {
    const root = await freshRepo();
    await rm(path.join(root, 'src', 'lib', 'uri.ts'));
    await appendFile(path.join(root, 'src', 'tools', 'index.ts'), '// mine\n');
    await writeFile(path.join(root, 'src', 'settings.ts'), 'export {};\n');
    const pkgFile = path.join(root, 'package.json');
    const pkg = JSON.parse(await readFile(pkgFile, 'utf8')) as { dependencies: Record<string, string> };
    pkg.dependencies['left-pad'] = '1.3.0';
    await writeFile(pkgFile, JSON.stringify(pkg, null, 2));
    const { code, text } = await runCheck(root, ['--json']);
    expect(code).toBe(1);
    expect(JSON.parse(text)).toMatchObject({ inSync: false, drift: [{ file: 'src/lib/uri.ts', kind: 'missing' }] });
  });

  it('fails on conflict markers left in any file, the user’s included', async () => {
    const root = await freshRepo();
    await writeFile(path.join(root, 'src', 'settings.ts'), '<<<<<<< yours\na\n||||||| base\n=======\nb\n>>>>>>> theirs\n');
    const { code, text } = await runCheck(root);
    expect(code).toBe(1);
    expect(text).toContain('conflict  src/settings.ts');
  });

  it('outside a generated repo: a usage error (64)', async () => {
    const error = await runCheck(await tempDir()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(64);
  });
});
