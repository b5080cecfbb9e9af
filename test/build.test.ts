import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
// @ts-expect-error the build script is plain JavaScript
import { COMMANDS, commandOptions, entryOptions, precompiledTemplates, vendorOptions } from '../scripts/build.mjs';
import type { Answers } from '../src/answers.js';
import { templateData } from '../src/render/data.js';
import { createHandlebars, loadCompiler, renderTemplate } from '../src/render/handlebars.js';
import { PRECOMPILED_FILE, loadPrecompiled, templateKey } from '../src/render/precompiled.js';
import { useTempDirs } from './helpers/fs.js';

const VARIANTS: Answers[] = [
  { name: 'demo', description: 'A & B <demo>', transports: ['stdio'], db: 'none' },
  { name: '@acme/weather_v2', description: 'd', transports: ['http'], db: 'none' },
  { name: 'all', description: 'd', transports: ['stdio', 'http', 'sse'], db: 'postgres' },
];

const tempDir = useTempDirs();
const root = fileURLToPath(new URL('..', import.meta.url));

interface Options {
  entryPoints?: Record<string, string>;
  outdir?: string;
}
type BuildOptions = Parameters<typeof build>[0];
const commandOptionsFor = commandOptions as (options: Options) => BuildOptions;
const vendorOptionsFor = vendorOptions as (options: Options) => BuildOptions;
const binOptionsFor = entryOptions as (options: Options) => BuildOptions;
const commandEntry = (name: string) => ({ [name]: path.join(root, 'src', 'commands', `${name}.ts`) });

/** Every input file that loading `output` pulls in through static imports (what runs before any `import()`). */
function staticInputs(metafile: Metafile, output: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of metafile.outputs[file]?.imports ?? []) if (imported.kind === 'import-statement' && !imported.external) visit(imported.path);
  };
  visit(output);
  return [...seen].flatMap((file) => Object.keys(metafile.outputs[file]?.inputs ?? {}));
}

const isBuiltin = (name: string) => name.startsWith('node:') || builtinModules.includes(name);

describe('the CLI bundle', () => {
  it('loads no dependency and no command module for --help and --version: each command is a module required on demand', async () => {
    const packageDir = await tempDir();
    const outdir = path.join(packageDir, 'dist');
    const bin = await build(binOptionsFor({ outdir }));
    // The bin is one CommonJS file holding argument parsing and the help text, and nothing else.
    const binOutputs = Object.values(bin.metafile?.outputs ?? {});
    expect(binOutputs).toHaveLength(1);
    const loaded = Object.keys(binOutputs[0]?.inputs ?? {});
    expect(loaded).toContain('src/args.ts');
    expect(loaded.filter((file) => file.includes('node_modules/'))).toEqual([]);
    expect(loaded.filter((file) => file.startsWith('src/commands/') || file.startsWith('src/steps/') || file.startsWith('src/render/'))).toEqual([]);
    // Its only ways to the commands are require()s of their bundles, one for each command...
    const imports = binOutputs[0]?.imports.filter((i) => !isBuiltin(i.path)) ?? [];
    expect(imports.every((i) => i.kind === 'require-call' && i.external)).toBe(true);
    expect(imports.map((i) => i.path).sort()).toEqual((COMMANDS as string[]).map((name) => `./${name}.js`).sort());
    // ...made only when a command runs: the bin alone answers --help and --version.
    writeFileSync(path.join(packageDir, 'package.json'), JSON.stringify({ name: 'create-mcp-prod', version: '9.8.7' }));
    writeFileSync(path.join(outdir, 'package.json'), JSON.stringify({ type: 'commonjs' }));
    const run = (arg: string) => execFileSync(process.execPath, [path.join(outdir, 'cli.js'), arg], { encoding: 'utf8' });
    expect(run('--version')).toBe('9.8.7\n');
    expect(run('--help')).toContain('add-tool');
    expect(() => execFileSync(process.execPath, [path.join(outdir, 'cli.js'), 'check'], { stdio: 'pipe' })).toThrow(/Cannot find module '\.\/check\.js'/);
  });

  it('makes each command one module with all of our code it runs, reaching a dependency only by import() of its one copy in vendor/', async () => {
    const outdir = await tempDir();
    const vendor = await build({ ...vendorOptionsFor({ outdir }), write: false });
    const vendorFiles = Object.keys(vendor.metafile?.outputs ?? {}).map((file) => path.relative(outdir, path.resolve(root, file)));
    for (const name of COMMANDS as string[]) {
      const command = await build({ ...commandOptionsFor({ entryPoints: commandEntry(name), outdir }), write: false });
      const outputs = Object.values(command.metafile?.outputs ?? {}).filter((output) => output.entryPoint !== undefined);
      expect(outputs, name).toHaveLength(1);
      // CommonJS, like the bin, so running a command needs no ES module loader.
      expect(command.outputFiles?.[0]?.text, name).toMatch(/\bmodule\.exports\b/);
      const bundled = Object.keys(command.metafile?.inputs ?? {});
      expect(bundled.filter((file) => /node_modules\/(execa|prompts|node-plop)\//.test(file)), name).toEqual([]);
      const imports = outputs[0]?.imports.filter((i) => !isBuiltin(i.path)) ?? [];
      for (const imported of imports) {
        expect(imported, name).toMatchObject({ kind: 'dynamic-import', external: true });
        expect(vendorFiles, name).toContain(imported.path.replace(/^\.\//, ''));
      }
    }
    // ...and vendor/ imports nothing but Node built-ins and its own chunks.
    const external = Object.values(vendor.metafile?.outputs ?? {}).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path));
    expect(external.filter((name) => !isBuiltin(name))).toEqual([]);
  });

  it('refuses to build a command that imports a lazy dependency statically', async () => {
    const entryPoints = { eager: path.join(root, 'test', 'fixtures', 'eager-prompts.ts') };
    await expect(build({ ...commandOptionsFor({ entryPoints, outdir: await tempDir() }), write: false, logLevel: 'silent' })).rejects.toThrow(/prompts is loaded lazily/);
  });

  it('renders a generation with the Handlebars runtime: the compiler is in vendor/, imported only when a template was not precompiled', async () => {
    const outdir = await tempDir();
    const create = await build({ ...commandOptionsFor({ entryPoints: commandEntry('create'), outdir }), write: false });
    const createLoads = Object.keys(create.metafile?.inputs ?? {});
    expect(createLoads.some((file) => file.endsWith('node_modules/handlebars/dist/cjs/handlebars.runtime.js'))).toBe(true);
    expect(createLoads.filter((file) => file.includes('node_modules/handlebars/dist/cjs/handlebars/compiler/'))).toEqual([]);
    const vendor = await build({ ...vendorOptionsFor({ outdir }), write: false });
    const vendorMetafile = vendor.metafile as Metafile;
    const handlebarsEntry = Object.keys(vendorMetafile.outputs).find((file) => file.endsWith('vendor/handlebars.mjs')) as string;
    expect(staticInputs(vendorMetafile, handlebarsEntry).some((file) => file.endsWith('node_modules/handlebars/dist/cjs/handlebars/compiler/compiler.js'))).toBe(true);
  });

  it('bundles a lazily imported node-plop into vendor/, which runs with no node_modules beside it', async () => {
    const outdir = await tempDir();
    const entry = path.join(root, 'test', 'fixtures', 'lazy-plop.ts');
    const { metafile } = await build(commandOptionsFor({ entryPoints: { 'lazy-plop': entry }, outdir }));
    expect(Object.keys(metafile?.inputs ?? {}).some((file) => file.includes('node_modules/node-plop/'))).toBe(false);
    const vendor = await build(vendorOptionsFor({ outdir }));
    // node-plop's prompt UI (inquirer, rxjs, iconv-lite...), addMany's globbing and plop.load()'s
    // module resolution are not bundled: add-* runs plop add and modify actions only.
    expect(Object.keys(vendor.metafile?.inputs ?? {}).filter((file) => /node_modules\/(inquirer|@inquirer|rxjs|tinyglobby|resolve)\//.test(file))).toEqual([]);

    const dest = await tempDir();
    const stdout = execFileSync(process.execPath, [path.join(outdir, 'lazy-plop.js'), dest], { cwd: outdir, encoding: 'utf8' });
    expect(JSON.parse(stdout)).toEqual({ failures: 0 });
    expect(readFileSync(path.join(dest, 'src', 'tools', 'fetch-weather.ts'), 'utf8')).toBe('export const fetchWeather = 1;\n');
  });
});

describe('precompiled templates', () => {
  it('has every real template under the key the renderer looks up, and renders exactly what compiling renders', async () => {
    const outdir = await tempDir();
    const file = path.join(outdir, PRECOMPILED_FILE);
    writeFileSync(file, (precompiledTemplates as () => string)());
    const precompiled = await loadPrecompiled(pathToFileURL(file));
    const templatesRoot = path.join(root, 'templates');
    const sources = readdirSync(templatesRoot, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile() && entry.name.endsWith('.hbs'))
      .map((entry) => path.join(entry.parentPath, entry.name));
    expect(sources.length).toBeGreaterThan(10);
    expect(precompiled.size).toBe(new Set(sources.map((source) => readFileSync(source, 'utf8'))).size);

    const hb = createHandlebars(await loadCompiler());
    // The add-* generators' templates (tool/, resource/, prompt/) are rendered by node-plop with data of their own.
    const addGenerators = new Set(['tool', 'resource', 'prompt'].map((layer) => path.join(templatesRoot, layer)));
    const overlaySources = sources.filter((source) => !addGenerators.has(path.dirname(source)));
    for (const answers of VARIANTS) {
      const data = { ...templateData(answers, '1.2.3'), userFiles: ['src/tools/index.ts'] };
      for (const source of overlaySources) {
        const text = readFileSync(source, 'utf8');
        expect(precompiled.has(templateKey(text)), source).toBe(true);
        expect(renderTemplate(hb, text, data, source, precompiled), source).toBe(renderTemplate(hb, text, data, source));
      }
    }
  });

  it('without a build (running from source) there are none, and templates are compiled', async () => {
    const missing = pathToFileURL(path.join(await tempDir(), PRECOMPILED_FILE));
    expect((await loadPrecompiled(missing)).size).toBe(0);
  });
});
