import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, HELP } from '../src/args.js';
import type { Manifest } from '../src/render/manifest.js';
import { exists, readTree, snapshotTree, useTempDirs } from './helpers/fs.js';

const packageRoot = fileURLToPath(new URL('../', import.meta.url));
const cliPath = path.join(packageRoot, 'dist', 'cli.js');
const tempDir = useTempDirs('create-mcp-prod-cli-');

/** Runs the built CLI with no TTY, no package-manager user agent and no DEBUG. */
function cli(args: string[], options: { cwd: string; env?: Record<string, string | undefined> }) {
  return execa('node', [cliPath, ...args], {
    cwd: options.cwd,
    reject: false,
    stdin: 'ignore',
    env: { npm_config_user_agent: undefined, DEBUG: undefined, NODE_OPTIONS: undefined, ...options.env },
  });
}

/** Every failure is one line on stderr, prefixed with the program name. */
function expectOneErrorLine(stderr: string): void {
  const lines = stderr.replace(/\n$/, '').split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^create-mcp-prod: \S/);
}

const ALL_FLAGS = ['--description', 'x', '--transport', 'stdio', '--db', 'none', '--no-install', '--no-git'];

beforeAll(() => {
  if (!existsSync(cliPath)) {
    throw new Error(`${cliPath} is missing: build first with "npm run build" (npm test does this) before running the CLI tests`);
  }
});

describe('cli: --help and --version', () => {
  it('--help exits 0 and prints the help listing every create option', async () => {
    const cwd = await tempDir();
    const result = await cli(['--help'], { cwd });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(HELP);
    for (const option of ['--name', '--description', '--transport', '--db', '--answers', '--yes', '--no-install', '--no-git', '--force', '--dry-run', '--help', '--version']) {
      expect(result.stdout).toContain(option);
    }
    expect(result.stderr).toBe('');
  });

  it('lists a command only when it works', async () => {
    const cwd = await tempDir();
    // `render` is the stable entry point an older package is asked to run by `update`: working, not listed.
    for (const command of COMMANDS.filter((name) => name !== 'create' && name !== 'render')) {
      const result = await cli([command], { cwd });
      const works = !result.stderr.includes('not available');
      expect(HELP.includes(`create-mcp-prod ${command}`), `${command}: listed in --help ⇔ it works`).toBe(works);
    }
  });

  it('documents every exit code, 66 included, in --help and in the README', async () => {
    const readme = await readFile(path.join(packageRoot, 'README.md'), 'utf8');
    for (const code of ['0', '1', '64', '66', '130']) {
      expect(HELP).toMatch(new RegExp(`\\b${code} [a-z]`));
      expect(readme).toMatch(new RegExp(`\`${code}\``));
    }
  });

  it('-h is --help', async () => {
    const result = await cli(['-h'], { cwd: await tempDir() });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(HELP);
  });

  it('--version prints the version from package.json', async () => {
    const pkg = JSON.parse(await readFile(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
    const result = await cli(['--version'], { cwd: await tempDir() });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(pkg.version);
    const short = await cli(['-v'], { cwd: await tempDir() });
    expect(short.stdout).toBe(pkg.version);
  });

  it('--help writes nothing to the cwd', async () => {
    const cwd = await tempDir();
    await cli(['my-dir', '--help'], { cwd });
    expect(await readdir(cwd)).toEqual([]);
  });
});

describe('cli: create without a terminal', () => {
  it('with no --yes and no flags: exit 64, one stderr line naming --description, --transport and --db, nothing written', async () => {
    const cwd = await tempDir();
    const result = await cli([], { cwd });
    expect(result.exitCode).toBe(64);
    expectOneErrorLine(result.stderr);
    for (const flag of ['--description', '--transport', '--db']) expect(result.stderr).toContain(flag);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('does not hang waiting for input: a dir alone still fails fast naming the missing flags', async () => {
    const cwd = await tempDir();
    const result = await cli(['my-dir'], { cwd });
    expect(result.exitCode).toBe(64);
    expectOneErrorLine(result.stderr);
    expect(result.stderr).toContain('--description, --transport, --db');
    expect(await readdir(cwd)).toEqual([]);
  });

  it('with every answer as a flag and no --yes: exit 0 and the files are written', async () => {
    const cwd = await tempDir();
    const result = await cli(['my-dir', ...ALL_FLAGS], { cwd });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const files = await readTree(path.join(cwd, 'my-dir'));
    for (const file of ['package.json', '.gitignore', 'src/index.ts', 'src/config.ts', 'src/transports/stdio.ts', '.mcp-prod.json']) {
      expect(files.has(file), file).toBe(true);
    }
    expect(result.stdout).toContain(`Wrote ${files.size} files to my-dir`);
    const pkg = JSON.parse((files.get('package.json') as Buffer).toString('utf8')) as { name: string; description: string };
    expect(pkg).toMatchObject({ name: 'my-dir', description: 'x' });
    expect(await readdir(cwd)).toEqual(['my-dir']);
  });

  it('--yes --no-install --no-git: exit 0 and .mcp-prod.json records the answers and every file', async () => {
    const cwd = await tempDir();
    const result = await cli(['server', '--yes', '--no-install', '--no-git'], { cwd });
    expect(result.exitCode).toBe(0);
    const target = path.join(cwd, 'server');
    const files = await readTree(target);
    const manifest = JSON.parse((files.get('.mcp-prod.json') as Buffer).toString('utf8')) as Manifest;
    expect(manifest.generator).toBe('create-mcp-prod');
    expect(manifest.answers).toEqual({ name: 'server', description: 'A production-ready MCP server', transports: ['stdio'], db: 'none' });
    expect(Object.keys(manifest.files).sort()).toEqual([...files.keys()].filter((file) => file !== '.mcp-prod.json').sort());
    expect(files.has('.git/HEAD')).toBe(false);
    expect(files.has('node_modules/.package-lock.json')).toBe(false);
  });

  it('prints next steps for the package manager in npm_config_user_agent', async () => {
    const cwd = await tempDir();
    const result = await cli(['server', '--yes', '--no-install', '--no-git'], {
      cwd,
      env: { npm_config_user_agent: 'pnpm/9.1.0 npm/? node/v20.19.0 linux x64' },
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('  cd server\n  pnpm install\n  pnpm run build\n  pnpm run test');
    expect(result.stdout).toContain(JSON.stringify(path.join(cwd, 'server', 'dist', 'index.js')));
  });

  it('with --yes and only --name @acme/weather: creates weather/', async () => {
    const cwd = await tempDir();
    const result = await cli(['--yes', '--name', '@acme/weather', '--no-install', '--no-git'], { cwd });
    expect(result.exitCode).toBe(0);
    expect(await readdir(cwd)).toEqual(['weather']);
    const pkg = JSON.parse(await readFile(path.join(cwd, 'weather', 'package.json'), 'utf8')) as { name: string };
    expect(pkg.name).toBe('@acme/weather');
  });

  it('into an existing empty directory: succeeds', async () => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, 'empty'));
    const result = await cli(['empty', ...ALL_FLAGS], { cwd });
    expect(result.exitCode).toBe(0);
    expect(await exists(path.join(cwd, 'empty', 'package.json'))).toBe(true);
  });

  it('no staging folder is left beside the target', async () => {
    const cwd = await tempDir();
    await cli(['srv', ...ALL_FLAGS], { cwd });
    expect(await readdir(cwd)).toEqual(['srv']);
  });
});

describe('cli: --dry-run', () => {
  it('prints the file list and writes nothing', async () => {
    const cwd = await tempDir();
    const result = await cli(['dry', '--yes', '--dry-run'], { cwd });
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    const count = Number(/^Would create dry with (\d+) files:$/.exec(lines[0] ?? '')?.[1]);
    expect(count).toBeGreaterThan(5);
    const listed = lines.slice(1).map((line) => line.replace(/^ {2}/, ''));
    expect(listed).toHaveLength(count);
    expect(listed).toEqual([...listed].sort());
    for (const file of ['package.json', '.gitignore', 'src/index.ts', '.mcp-prod.json']) expect(listed).toContain(file);
    expect(await exists(path.join(cwd, 'dry'))).toBe(false);
    expect(await readdir(cwd)).toEqual([]);
  });

  it('lists the same files a real run writes', async () => {
    const cwd = await tempDir();
    const dry = await cli(['same', ...ALL_FLAGS, '--dry-run'], { cwd });
    const listed = dry.stdout.split('\n').slice(1).map((line) => line.replace(/^ {2}/, ''));
    const real = await cli(['same', ...ALL_FLAGS], { cwd });
    expect(real.exitCode).toBe(0);
    expect([...(await readTree(path.join(cwd, 'same'))).keys()].sort()).toEqual(listed);
  });

  it('still refuses a non-empty target without --force', async () => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, 'full'));
    await writeFile(path.join(cwd, 'full', 'mine.txt'), 'mine');
    const result = await cli(['full', '--yes', '--dry-run'], { cwd });
    expect(result.exitCode).toBe(1);
    expectOneErrorLine(result.stderr);
  });
});

describe('cli: a reader that stops early', () => {
  it('--dry-run into a closed stdout (| head) ends quietly with exit 0, no stack trace', async () => {
    const cwd = await tempDir();
    const child = spawn('node', [cliPath, '--dry-run', '--yes', 'demo'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    // Closed before the first write, as `head` does once it has its lines: every write meets EPIPE.
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});

describe('cli: bad input', () => {
  it('an invalid --name: exit 64, one stderr line, nothing written', async () => {
    const cwd = await tempDir();
    const result = await cli(['--name', 'Bad Name', '--yes', '--no-install', '--no-git'], { cwd });
    expect(result.exitCode).toBe(64);
    expectOneErrorLine(result.stderr);
    expect(result.stderr).toContain('invalid name "Bad Name"');
    expect(result.stdout).toBe('');
    expect(await readdir(cwd)).toEqual([]);
  });

  it('--transport carrier-pigeon: exit 64, one line, nothing written', async () => {
    const cwd = await tempDir();
    const result = await cli(['x', '--transport', 'carrier-pigeon', '--yes'], { cwd });
    expect(result.exitCode).toBe(64);
    expectOneErrorLine(result.stderr);
    expect(result.stderr).toContain('carrier-pigeon');
    expect(await readdir(cwd)).toEqual([]);
  });

  it('--db mysql: exit 64, one line', async () => {
    const cwd = await tempDir();
    const result = await cli(['x', '--db', 'mysql', '--yes'], { cwd });
    expect(result.exitCode).toBe(64);
    expectOneErrorLine(result.stderr);
  });

  it('an unknown option: exit 64 and the short message', async () => {
    const cwd = await tempDir();
    const result = await cli(['--foo'], { cwd });
    expect(result.exitCode).toBe(64);
    expect(result.stderr).toBe('create-mcp-prod: unknown option --foo (see --help)');
  });

  it('an option without its value: exit 64, one line', async () => {
    const cwd = await tempDir();
    const result = await cli(['x', '--yes', '--transport'], { cwd });
    expect(result.exitCode).toBe(64);
    expectOneErrorLine(result.stderr);
    expect(result.stderr).toContain('--transport');
  });

  it('two target dirs: exit 64, one line', async () => {
    const cwd = await tempDir();
    const result = await cli(['a', 'b', '--yes'], { cwd });
    expect(result.exitCode).toBe(64);
    expect(result.stderr).toBe('create-mcp-prod: expected one target directory, got 2');
    expect(await readdir(cwd)).toEqual([]);
  });

  it.each(['add-tool x', 'add-resource x', 'add-prompt x', 'check', 'update'])('%s outside a generated repo: exit 64, one line', async (command) => {
    const cwd = await tempDir();
    const result = await cli(command.split(' '), { cwd });
    expect(result.exitCode).toBe(64);
    expectOneErrorLine(result.stderr);
    expect(result.stderr).toContain('not a generated repo');
  });
});

describe('cli: target directory', () => {
  it('non-empty without --force: exit 1, stderr lists what is there, files untouched', async () => {
    const cwd = await tempDir();
    const target = path.join(cwd, 'taken');
    await mkdir(path.join(target, 'src'), { recursive: true });
    await writeFile(path.join(target, 'notes.txt'), 'mine');
    await writeFile(path.join(target, 'src', 'index.ts'), 'my code');
    const before = await snapshotTree(target);
    const result = await cli(['taken', ...ALL_FLAGS], { cwd });
    expect(result.exitCode).toBe(1);
    expectOneErrorLine(result.stderr);
    expect(result.stderr).toContain('notes.txt');
    expect(result.stderr).toContain('src');
    expect(result.stderr).toContain('--force');
    expect(await snapshotTree(target)).toEqual(before);
    expect(await readdir(cwd)).toEqual(['taken']);
  });

  it('non-empty with --force: succeeds and keeps an unrelated existing file', async () => {
    const cwd = await tempDir();
    const target = path.join(cwd, 'taken');
    await mkdir(target);
    await writeFile(path.join(target, 'notes.txt'), 'mine');
    const result = await cli(['taken', ...ALL_FLAGS, '--force'], { cwd });
    expect(result.exitCode).toBe(0);
    expect(await readFile(path.join(target, 'notes.txt'), 'utf8')).toBe('mine');
    expect(await exists(path.join(target, 'package.json'))).toBe(true);
    expect(await exists(path.join(target, '.mcp-prod.json'))).toBe(true);
    expect(await readdir(cwd)).toEqual(['taken']);
  });

  it('--force lists every file it replaces and where the user\'s versions are kept', async () => {
    const cwd = await tempDir();
    const target = path.join(cwd, 'taken');
    await mkdir(target);
    await writeFile(path.join(target, 'README.md'), 'my own readme');
    const result = await cli(['taken', ...ALL_FLAGS, '--force'], { cwd });
    expect(result.exitCode).toBe(0);
    const backups = await readdir(path.join(target, '.mcp-prod-backup'));
    expect(result.stdout).toContain(`Replacing 1 existing file (your versions go to ${path.join('taken', '.mcp-prod-backup', backups[0] ?? '')}/):\n  README.md\n`);
    expect(await readFile(path.join(target, '.mcp-prod-backup', backups[0] ?? '', 'README.md'), 'utf8')).toBe('my own readme');
  });

  it('a target below a file: exit 1, one plain line (no "unexpected error")', async () => {
    const cwd = await tempDir();
    await writeFile(path.join(cwd, 'file'), 'content');
    const result = await cli([path.join('file', 'server'), ...ALL_FLAGS], { cwd });
    expect(result.exitCode).toBe(1);
    expectOneErrorLine(result.stderr);
    expect(result.stderr).toContain('a part of the path is a file, not a folder');
    expect(result.stderr).not.toContain('unexpected');
  });

  it('a file in the way: exit 1, one line, the file untouched', async () => {
    const cwd = await tempDir();
    await writeFile(path.join(cwd, 'file'), 'content');
    const result = await cli(['file', ...ALL_FLAGS, '--force'], { cwd });
    expect(result.exitCode).toBe(1);
    expectOneErrorLine(result.stderr);
    expect(await readFile(path.join(cwd, 'file'), 'utf8')).toBe('content');
  });
});

describe('cli: --answers', () => {
  async function writeAnswers(cwd: string, content: unknown): Promise<string> {
    const file = path.join(cwd, 'answers.json');
    await writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  }

  it('a missing answers file: non-zero exit, one line naming it, nothing written', async () => {
    const cwd = await tempDir();
    const result = await cli(['--answers', 'missing.json', '--yes'], { cwd });
    expect(result.exitCode).not.toBe(0);
    expect(result.exitCode).toBe(66);
    expectOneErrorLine(result.stderr);
    expect(result.stderr).toContain('missing.json');
    expect(await readdir(cwd)).toEqual([]);
  });

  it('invalid JSON: exit 64, one line', async () => {
    const cwd = await tempDir();
    await writeAnswers(cwd, '{ "name": ');
    const result = await cli(['--answers', 'answers.json', '--yes'], { cwd });
    expect(result.exitCode).toBe(64);
    expectOneErrorLine(result.stderr);
    expect(result.stderr).toContain('not valid JSON');
  });

  it('an unknown key: exit 64, one line naming it', async () => {
    const cwd = await tempDir();
    await writeAnswers(cwd, { name: 'x', colour: 'blue' });
    const result = await cli(['--answers', 'answers.json', '--yes'], { cwd });
    expect(result.exitCode).toBe(64);
    expectOneErrorLine(result.stderr);
    expect(result.stderr).toContain('"colour"');
    expect(await readdir(cwd)).toEqual(['answers.json']);
  });

  it('uses the file values without --yes, and flags override them', async () => {
    const cwd = await tempDir();
    await writeAnswers(cwd, { name: 'from-file', description: 'file description', transport: 'stdio', db: 'none' });
    const result = await cli(['--answers', 'answers.json', '--description', 'flag & description', '--no-install', '--no-git'], { cwd });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const manifest = JSON.parse(await readFile(path.join(cwd, 'from-file', '.mcp-prod.json'), 'utf8')) as Manifest;
    expect(manifest.answers).toEqual({ name: 'from-file', description: 'flag & description', transports: ['stdio'], db: 'none' });
    const pkg = JSON.parse(await readFile(path.join(cwd, 'from-file', 'package.json'), 'utf8')) as { description: string };
    expect(pkg.description).toBe('flag & description');
  });
});
