import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { describe, expect, it } from 'vitest';
// @ts-expect-error the build script is plain JavaScript
import { bundleOptions, entryOptions, precompiledTemplates } from '../scripts/build.mjs';
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
const optionsFor = bundleOptions as (options: Options) => Parameters<typeof build>[0];
const binOptionsFor = entryOptions as (options: Options) => Parameters<typeof build>[0];

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

describe('the CLI bundle', () => {
  it('loads no dependency and no command module for --help and --version: they are chunks imported on demand', async () => {
    const outdir = await tempDir();
    const bin = await build({ ...binOptionsFor({ outdir }), write: false });
    const commands = await build({ ...optionsFor({ outdir }), write: false });
    if (!bin.metafile || !commands.metafile) throw new Error('no metafile');
    // The bin is one CommonJS file holding argument parsing and the help text, and nothing else.
    const binOutputs = Object.values(bin.metafile.outputs);
    expect(binOutputs).toHaveLength(1);
    const loaded = Object.keys(binOutputs[0]?.inputs ?? {});
    expect(loaded).toContain('src/args.ts');
    expect(loaded.filter((file) => file.includes('node_modules/'))).toEqual([]);
    expect(loaded.filter((file) => file.startsWith('src/commands/') || file.startsWith('src/steps/') || file.startsWith('src/render/'))).toEqual([]);
    // Its only way to the commands is a real import() of the command bundle.
    expect(binOutputs[0]?.imports.filter((i) => !i.path.startsWith('node:'))).toEqual([{ path: './run.mjs', kind: 'dynamic-import', external: true }]);
    const runEntry = Object.keys(commands.metafile.outputs).find((file) => commands.metafile?.outputs[file]?.entryPoint === 'src/run.ts');
    expect(runEntry).toMatch(/run\.mjs$/);
    const runLoads = staticInputs(commands.metafile, runEntry as string);
    expect(runLoads.filter((file) => file.includes('node_modules/') || file.startsWith('src/commands/'))).toEqual([]);
    // ...and everything else is bundled: the only imports left are Node built-ins.
    const external = [bin.metafile, commands.metafile].flatMap((metafile) =>
      Object.values(metafile.outputs).flatMap((output) => output.imports.filter((i) => i.external).map((i) => i.path)),
    );
    expect(external.filter((name) => !name.startsWith('node:') && !builtinModules.includes(name) && name !== './run.mjs')).toEqual([]);
  });

  it('renders a generation with the Handlebars runtime: the compiler is a chunk of its own, imported only when a template was not precompiled', async () => {
    const commands = await build({ ...optionsFor({ outdir: await tempDir() }), write: false });
    const metafile = commands.metafile as Metafile;
    const outputHolding = (input: string) => Object.keys(metafile.outputs).find((file) => Object.keys(metafile.outputs[file]?.inputs ?? {}).some((name) => name.endsWith(input)));
    const createLoads = staticInputs(metafile, outputHolding('src/commands/create.ts') as string);
    expect(createLoads.some((file) => file.endsWith('node_modules/handlebars/dist/cjs/handlebars.runtime.js'))).toBe(true);
    expect(createLoads.filter((file) => file.includes('node_modules/handlebars/dist/cjs/handlebars/compiler/'))).toEqual([]);
    expect(outputHolding('node_modules/handlebars/dist/cjs/handlebars/compiler/compiler.js')).toBeDefined();
  });

  it('bundles a lazily imported node-plop into a chunk that runs with no node_modules beside it', async () => {
    const outdir = await tempDir();
    const entry = path.join(root, 'test', 'fixtures', 'lazy-plop.ts');
    const { metafile } = await build(optionsFor({ entryPoints: { 'lazy-plop': entry }, outdir }));
    const entryOutput = Object.keys(metafile?.outputs ?? {}).find((file) => file.endsWith('lazy-plop.mjs'));
    expect(entryOutput).toBeDefined();
    expect(staticInputs(metafile as Metafile, entryOutput as string).some((file) => file.includes('node_modules/node-plop/'))).toBe(false);
    // node-plop's prompt UI (inquirer, rxjs, iconv-lite...), addMany's globbing and plop.load()'s
    // module resolution are not bundled: add-* runs plop add and modify actions only.
    expect(Object.keys(metafile?.inputs ?? {}).filter((file) => /node_modules\/(inquirer|@inquirer|rxjs|tinyglobby|resolve)\//.test(file))).toEqual([]);

    const dest = await tempDir();
    const stdout = execFileSync(process.execPath, [path.join(outdir, 'lazy-plop.mjs'), dest], { cwd: outdir, encoding: 'utf8' });
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
