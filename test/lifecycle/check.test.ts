import { appendFile, mkdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/args.js';
import { check } from '../../src/commands/check.js';
import type { Output } from '../../src/context.js';
import { CliError } from '../../src/errors.js';
import { renderRepo } from '../../src/steps/render.js';
import { useTempDirs, writeTree } from '../helpers/fs.js';

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

  it('finds conflict markers with CRLF line ends and without labels', async () => {
    const root = await freshRepo();
    await writeTree(root, {
      'src/crlf.ts': '<<<<<<< a\r\nx\r\n=======\r\ny\r\n>>>>>>> b\r\n',
      'src/bare.ts': 'const a = 1;\n<<<<<<<\nx\n=======\ny\n>>>>>>>\n',
      'src/bare-crlf.ts': '<<<<<<<\r\nx\r\n=======\r\ny\r\n>>>>>>>',
    });
    const { code, text } = await runCheck(root);
    expect(code).toBe(1);
    expect(text).toContain('conflict  src/crlf.ts');
    expect(text).toContain('conflict  src/bare.ts');
    expect(text).toContain('conflict  src/bare-crlf.ts');
  });

  it('takes no ordinary text for conflict markers: all three marker lines are needed, in order', async () => {
    const root = await freshRepo();
    await writeTree(root, {
      'NOTES.md': 'Title\r\n=======\r\n\r\nText.\r\n',
      'src/arrows.ts': '// <<<<<<< not at the line start\n<<<<<<<< eight\n=======\n>>>>>>>> eight\n',
      'src/halves.ts': '<<<<<<< a\nx\n>>>>>>> b\n=======\n',
    });
    expect((await runCheck(root)).code).toBe(0);
  });

  it('passes over a file too large to be anything merged by hand (a 3 GiB data file): no crash, still in sync', async () => {
    const root = await freshRepo();
    await mkdir(path.join(root, 'data'));
    // Sparse: takes no disk space, but Node cannot read it into one buffer (over 2 GiB).
    await writeFile(path.join(root, 'data', 'dump.bin'), '');
    await truncate(path.join(root, 'data', 'dump.bin'), 3 * 1024 ** 3);
    expect(await runCheck(root)).toEqual({ code: 0, text: expect.stringContaining('In sync with create-mcp-prod') });
  });

  it('a managed file grown too large to compare is reported as modified, not a crash', async () => {
    const root = await freshRepo();
    await truncate(path.join(root, 'src', 'lib', 'lock.ts'), 3 * 1024 ** 3);
    const { code, text } = await runCheck(root);
    expect(code).toBe(1);
    expect(text).toContain('modified  src/lib/lock.ts (managed)');
  });

  it('looks for conflict markers in time linear in the file: many opening and middle lines but no closing one do not stall it', async () => {
    const root = await freshRepo();
    // About 300 KB; a backtracking search over it took minutes.
    await writeTree(root, { 'docs/odd.md': '<<<<<<< a\n=======\n'.repeat(16_000) });
    const started = performance.now();
    expect((await runCheck(root)).code).toBe(0);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('reads a manifest saved with a UTF-8 byte order mark', async () => {
    const root = await freshRepo();
    const file = path.join(root, '.mcp-prod.json');
    await writeFile(file, `\uFEFF${await readFile(file, 'utf8')}`);
    expect((await runCheck(root)).code).toBe(0);
  });

  it.each([
    ['a name that is not a string', { name: 5 }, /answers: "name" must be a string$/],
    ['transports as a string', { transports: 'stdio' }, /answers: "transports" must be a list of strings$/],
    ['an unknown transport', { transports: ['stdio', 'carrier-pigeon'] }, /answers: invalid --transport value "carrier-pigeon"/],
    ['an unknown database', { db: 'mysql' }, /answers: invalid --db value "mysql"/],
    ['an invalid name', { name: 'Not A Name' }, /answers: invalid name "Not A Name"/],
  ])('refuses recorded answers with %s: one line naming the file and the field (64)', async (_case, answers, message) => {
    const root = await freshRepo();
    const file = path.join(root, '.mcp-prod.json');
    const manifest = JSON.parse(await readFile(file, 'utf8')) as { answers: Record<string, unknown> };
    await writeFile(file, JSON.stringify({ ...manifest, answers: { ...manifest.answers, ...answers } }));
    const error = await runCheck(root).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ exitCode: 64, message: expect.stringMatching(message) });
    expect((error as Error).message.startsWith(`${file}: `)).toBe(true);
    expect((error as Error).message).not.toContain('\n');
  });

  it('refuses empty recorded answers, naming the first missing one (64)', async () => {
    const root = await freshRepo();
    const file = path.join(root, '.mcp-prod.json');
    const manifest = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify({ ...manifest, answers: {} }));
    await expect(runCheck(root)).rejects.toMatchObject({ exitCode: 64, message: `${file}: .mcp-prod.json answers lack "name"` });
  });

  it('a .mcp-prod.json that is a folder: a usage error naming it (64)', async () => {
    const dir = path.join(await tempDir(), 'repo');
    await mkdir(path.join(dir, '.mcp-prod.json'), { recursive: true });
    await expect(runCheck(dir)).rejects.toMatchObject({
      exitCode: 64,
      message: `${path.join(dir, '.mcp-prod.json')} is a folder: create-mcp-prod records this repo in a file of that name`,
    });
  });

  it('outside a generated repo: a usage error (64)', async () => {
    const error = await runCheck(await tempDir()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(64);
  });
});
