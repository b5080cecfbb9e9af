import { cp, mkdir, mkdtemp, readFile, readdir, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Answers } from '../answers.js';
import { CliError, ExitCode, isCliError } from '../errors.js';
import { renderRepo } from '../steps/render.js';
import { generatorPackage, packageRoot } from '../version.js';

export type FileTree = Map<string, Buffer>;

/** Where the package of a recorded version comes from: the npm registry unless a tarball or folder is given. */
export interface PackageSource {
  cwd: string;
  fromPackage?: string;
}

interface PackageJson {
  name?: string;
  version?: string;
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
  createMcpProd?: { render?: number };
}

/**
 * The files `version` of create-mcp-prod writes for `answers`, rendered by that version's own
 * package, never by today's code with old templates, so a template or renderer change can never
 * break the merge base of an update. The running version renders in process. Fails with exit 69
 * when the package cannot be had or cannot render.
 */
export async function renderVersion(version: string, answers: Answers, source: PackageSource): Promise<FileTree> {
  if (version === generatorPackage().version && (source.fromPackage === undefined || (await isRunningPackage(path.resolve(source.cwd, source.fromPackage))))) {
    return renderInProcess(answers);
  }
  const work = await mkdtemp(path.join(os.tmpdir(), 'create-mcp-prod-render-'));
  try {
    const packageDir = await obtainPackage(version, source, work);
    const out = path.join(work, 'out');
    await renderWithPackage(packageDir, answers, out, work);
    return await readTreeFiles(out);
  } catch (error) {
    if (isCliError(error)) throw error;
    throw cannotRender(version, error instanceof Error ? error.message : String(error));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export async function renderInProcess(answers: Answers): Promise<FileTree> {
  const files = await renderRepo({ answers });
  return new Map([...files].map(([file, content]) => [file, typeof content === 'string' ? Buffer.from(content, 'utf8') : content]));
}

/** `--from-package` naming the very folder this code runs from: its render is this process's render, no second process needed. */
async function isRunningPackage(dir: string): Promise<boolean> {
  const [given, running] = await Promise.all([realpath(dir).catch(() => undefined), realpath(fileURLToPath(packageRoot))]);
  return given === running;
}

function cannotRender(version: string, reason: string): CliError {
  return new CliError(`cannot render create-mcp-prod ${version}, the version this repo records: ${reason.split('\n')[0] ?? reason}`, ExitCode.unavailable);
}

/** The package folder of `version`, with its dependencies installed. */
async function obtainPackage(version: string, source: PackageSource, work: string): Promise<string> {
  const given = source.fromPackage === undefined ? undefined : path.resolve(source.cwd, source.fromPackage);
  const kind = given === undefined ? undefined : await stat(given).catch(() => undefined);
  if (given !== undefined && kind === undefined) throw cannotRender(version, `--from-package ${source.fromPackage} does not exist`);

  let packageDir: string;
  if (given !== undefined && kind?.isDirectory()) {
    packageDir = given;
    if (!(await dependenciesResolve(packageDir, await readPackageJson(packageDir)))) {
      // Never install into the user's folder: work on a copy.
      packageDir = path.join(work, 'package');
      await cp(given, packageDir, { recursive: true });
      await npm(['install', '--omit=dev'], packageDir);
    }
  } else if (given !== undefined) {
    // A tarball: npm installs it and its dependencies into a scratch folder.
    packageDir = await npmInstall(given, path.join(work, 'install'), work);
  } else {
    packageDir = await fromRegistry(version, work);
  }
  const found = (await readPackageJson(packageDir)).version;
  if (found !== version) {
    throw cannotRender(version, `${source.fromPackage ?? 'the registry'} holds create-mcp-prod ${found ?? '(no version)'}`);
  }
  return packageDir;
}

/**
 * Versions whose package.json says `createMcpProd.render: 1` take `render --answers <file> --out <dir>`;
 * older ones (0.1.0) are run as a plain create with every answer given and nothing installed.
 */
async function renderWithPackage(packageDir: string, answers: Answers, out: string, work: string): Promise<void> {
  const pkg = await readPackageJson(packageDir);
  const binRelative = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.['create-mcp-prod'];
  if (binRelative === undefined) throw new Error(`${packageDir} has no create-mcp-prod bin`);
  const answersFile = path.join(work, 'answers.json');
  await writeFile(answersFile, JSON.stringify(answers));
  const args =
    pkg.createMcpProd?.render === 1
      ? ['render', '--answers', answersFile, '--out', out]
      : [out, '--answers', answersFile, '--yes', '--no-install', '--no-git'];
  const { execa } = await import('execa');
  const result = await execa(process.execPath, [path.join(packageDir, binRelative), ...args], { cwd: work, reject: false, stdin: 'ignore' });
  if (result.exitCode !== 0) throw new Error(`its CLI exited ${String(result.exitCode)}: ${result.stderr.trim() || result.stdout.trim()}`);
}

async function npmInstall(spec: string, prefix: string, cwd: string): Promise<string> {
  await npm(['install', '--prefix', prefix, '--omit=dev', '--no-package-lock', spec], cwd);
  return path.join(prefix, 'node_modules', 'create-mcp-prod');
}

/**
 * A published version never changes, so its installed package is kept in a cache folder
 * (`CREATE_MCP_PROD_CACHE`, default `~/.cache/create-mcp-prod`): a fleet job updating many repos
 * from one version installs it once. Installed beside its final place, then renamed, so a
 * cancelled install never leaves a half-made entry; an unwritable cache falls back to the scratch folder.
 */
async function fromRegistry(version: string, work: string): Promise<string> {
  // Absolute: npm and the package's CLI run in a scratch folder, where a relative path would point elsewhere.
  const cacheRoot = path.resolve(process.env.CREATE_MCP_PROD_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'create-mcp-prod'));
  const entry = path.join(cacheRoot, 'packages', version);
  const cached = path.join(entry, 'node_modules', 'create-mcp-prod');
  if ((await readPackageJson(cached).catch(() => undefined))?.version === version) return cached;
  const staging = await mkdir(path.dirname(entry), { recursive: true })
    .then(() => mkdtemp(`${entry}.partial-`))
    .catch(() => undefined);
  if (staging === undefined) return npmInstall(`create-mcp-prod@${version}`, path.join(work, 'install'), work);
  try {
    await npmInstall(`create-mcp-prod@${version}`, staging, work);
    await rename(staging, entry);
    return cached;
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // Another process may have filled the entry meanwhile.
    if ((await readPackageJson(cached).catch(() => undefined))?.version === version) return cached;
    throw error;
  }
}

async function npm(args: string[], cwd: string): Promise<void> {
  const { execa } = await import('execa');
  const result = await execa('npm', [...args, '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
    cwd,
    reject: false,
    stdin: 'ignore',
  });
  if (result.exitCode !== 0) {
    const reason = result.stderr.split('\n').find((line) => /npm error (code|404|.*not found)/i.test(line)) ?? result.stderr.split('\n')[0];
    throw new Error(`npm ${args[0] ?? ''} failed (${reason ?? `exit ${String(result.exitCode)}`}); pass --from-package <tarball-or-folder> to work offline`);
  }
}

/** Whether Node would find every dependency from the package folder: in its node_modules or any above (an installed package). */
async function dependenciesResolve(packageDir: string, pkg: PackageJson): Promise<boolean> {
  for (const dependency of Object.keys(pkg.dependencies ?? {})) {
    let dir = packageDir;
    while (!(await exists(path.join(dir, 'node_modules', dependency, 'package.json')))) {
      const parent = path.dirname(dir);
      if (parent === dir) return false;
      dir = parent;
    }
  }
  return true;
}

async function readPackageJson(dir: string): Promise<PackageJson> {
  return JSON.parse(await readFile(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
}

async function exists(file: string): Promise<boolean> {
  return (await stat(file).catch(() => undefined)) !== undefined;
}

/** Every file under `root`, keyed by POSIX relative path. */
export async function readTreeFiles(root: string): Promise<FileTree> {
  const tree: FileTree = new Map();
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    tree.set(path.relative(root, full).split(path.sep).join('/'), await readFile(full));
  }
  return new Map([...tree].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
