// `npm run build`: bundles the CLI with esbuild into dist/ with every dependency inside, so
// `npx create-mcp-prod` installs one package:
// - `cli.js`, the bin: argument parsing and the help text only;
// - one file per command (`create.js`, `add.js`, ...) holding all of our code that command runs:
//   every module Node loads costs about a millisecond, so a command loads one, not a chunk for
//   each piece of code it shares with other commands;
// - `vendor/`, one copy of each dependency a command imports lazily, loaded only when it is used.
// The bin and the commands are CommonJS, loaded with require(): a command that needs no
// dependency never starts Node's ES module loader, which costs more than loading the command.
// `vendor/` is ES modules (execa is one). `dist/package.json` says the `.js` files are CommonJS.
// Templates stay plain files beside it.
// Type checking is `npm run typecheck` (esbuild only strips types).
import { build, transformSync } from 'esbuild';
import Handlebars from 'handlebars';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** `src/commands/<name>.ts`, each bundled into `dist/<name>.mjs`. */
export const COMMANDS = readdirSync(path.join(root, 'src', 'commands'))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => file.slice(0, -'.ts'.length));

/** What commands import() only when they get to use it: the Handlebars compiler, prompts, git and npm runs, add-*'s plop. */
export const LAZY_DEPENDENCIES = ['execa', 'handlebars', 'node-plop', 'prompts'];

const shared = {
  bundle: true,
  platform: 'node',
  target: 'node20.19',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  metafile: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

const commonJs = {
  format: 'cjs',
  // version.ts and precompiled.ts find files from their own URL; in CommonJS that is the file's path.
  define: { 'import.meta.url': '__fileUrl' },
  banner: { js: "'use strict'; const __fileUrl = require('node:url').pathToFileURL(__filename).href;" },
};

const esModule = {
  format: 'esm',
  // `.mjs`: dist/package.json makes `.js` CommonJS.
  outExtension: { '.js': '.mjs' },
};

/**
 * The esbuild options for one command: a CommonJS file with all of our code it runs, whose
 * import() of a lazy dependency stays a real import of `vendor/`. Exported so a test can bundle a
 * fixture with the very same options (a lazily imported node-plop, for instance).
 */
export function commandOptions({ entryPoints, outdir = path.join(root, 'dist') }) {
  return { ...shared, ...commonJs, entryPoints, outdir, plugins: [noSourceMap, lazyDependenciesInVendor] };
}

/** The esbuild options for `vendor/`: the lazy dependencies, code they share in chunks of its own. */
export function vendorOptions({ outdir = path.join(root, 'dist') } = {}) {
  return {
    ...shared,
    ...esModule,
    entryPoints: Object.fromEntries(LAZY_DEPENDENCIES.map((name) => [name, name])),
    outdir: path.join(outdir, 'vendor'),
    splitting: true,
    chunkNames: '[name]-[hash]',
    // CommonJS dependencies (prompts, handlebars) call require() for Node built-ins; an ES module
    // has no require, so each file here gets one.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    plugins: [noSourceMap, plopStandIns],
  };
}

/**
 * A lazy dependency is reached only through import(), which stays an import of its one copy in
 * `vendor/`; a static import would load it with the command, so the build refuses one.
 */
const lazyDependenciesInVendor = {
  name: 'lazy-dependencies-in-vendor',
  setup(builder) {
    builder.onResolve({ filter: new RegExp(`^(${LAZY_DEPENDENCIES.join('|')})$`) }, (args) =>
      args.kind === 'dynamic-import'
        ? { path: `./vendor/${args.path}.mjs`, external: true }
        : { errors: [{ text: `${args.path} is loaded lazily: import() it where it is used (${args.importer})` }] },
    );
  },
};

/**
 * Handlebars only uses source-map for compile-time source maps, which we never ask for, and falls
 * back without it; but loading its compiler tries `require('source-map')`, which finds and loads a
 * copy in any node_modules above the package (or searches them all in vain). An empty module
 * instead: the same fallback, and nothing looked up.
 */
const noSourceMap = {
  name: 'no-source-map',
  setup(builder) {
    builder.onResolve({ filter: /^source-map$/ }, () => ({ path: 'source-map', namespace: 'no-source-map' }));
    builder.onLoad({ filter: /.*/, namespace: 'no-source-map' }, () => ({ contents: 'module.exports = {};', loader: 'js' }));
  },
};

/**
 * What node-plop imports for features `add-*` never uses, each replaced by a stand-in that says so
 * if it were ever called: inquirer (with rxjs, iconv-lite and the rest of a terminal UI: about
 * 1 MB of the bundle) for plop's own prompts, since `add-*` asks with `prompts` and calls
 * `runActions` directly; tinyglobby for the `addMany` action; resolve for `plop.load()` of plop packs.
 */
const NOT_BUNDLED = "throw new Error('not part of create-mcp-prod: it runs node-plop add and modify actions only');";
const PLOP_STAND_INS = {
  inquirer: `const notBundled = () => { ${NOT_BUNDLED} };
const prompt = Object.assign(notBundled, { prompts: {} });
export default { prompt, registerPrompt: notBundled, createPromptModule: () => prompt };`,
  tinyglobby: `export function globSync() { ${NOT_BUNDLED} }`,
  resolve: `export default { sync() { ${NOT_BUNDLED} } };`,
};
const plopStandIns = {
  name: 'plop-stand-ins',
  setup(builder) {
    builder.onResolve({ filter: new RegExp(`^(${Object.keys(PLOP_STAND_INS).join('|')})$`) }, (args) =>
      /[\\/]node_modules[\\/]node-plop[\\/]/.test(args.importer) ? { path: args.path, namespace: 'plop-stand-ins' } : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: 'plop-stand-ins' }, (args) => ({ contents: PLOP_STAND_INS[args.path], loader: 'js' }));
  },
};

/** The bin's `import('./commands/<name>.js')` stays a real load of that command's bundle, not a copy of it. */
const commandBundlesOutside = {
  name: 'command-bundles-outside',
  setup(builder) {
    builder.onResolve({ filter: /^\.\/commands\/[\w-]+\.js$/ }, (args) => ({ path: `./${path.basename(args.path)}`, external: true }));
  },
};

/** The esbuild options for the bin `cli.js`: one CommonJS file, no chunk, no dependency. */
export function entryOptions({ outdir = path.join(root, 'dist') } = {}) {
  return {
    ...shared,
    ...commonJs,
    entryPoints: { cli: path.join(root, 'src', 'cli.ts') },
    outdir,
    // Its import() of a command becomes require(): the command is CommonJS too (see above).
    supported: { 'dynamic-import': false },
    plugins: [commandBundlesOutside],
  };
}

/** One file naming every bundled package with its licence text, as MIT and ISC ask when code is redistributed. */
export function thirdPartyLicenses(metafile) {
  const packages = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (!match) continue;
    const dir = path.join(root, input.slice(0, match.index + match[0].length));
    if (packages.has(dir)) continue;
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
    packages.set(dir, { name: pkg.name, version: pkg.version, license: pkg.license ?? 'see package', text: licenceText(dir) });
  }
  const sorted = [...packages.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return `# Third-party software bundled in dist/\n\n${sorted
    .map((p) => `## ${p.name}@${p.version} (${p.license})\n\n${p.text ? `\`\`\`\n${p.text.trim()}\n\`\`\`` : '(no licence file in the package)'}\n`)
    .join('\n')}`;
}

function licenceText(dir) {
  for (const name of ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'license', 'license.md', 'LICENCE', 'COPYING']) {
    try {
      return readFileSync(path.join(dir, name), 'utf8');
    } catch {
      // try the next usual name
    }
  }
  return undefined;
}

// Must match COMPILE_OPTIONS and templateKey in src/render/precompiled.ts (test/build.test.ts checks).
const COMPILE_OPTIONS = Object.freeze({ noEscape: true, strict: true });
const templateKey = (source) => createHash('sha256').update(JSON.stringify(COMPILE_OPTIONS)).update('\0').update(source).digest('hex');

/** A module mapping each `.hbs` template's key to its compiled form, so `create` does not compile them. */
export function precompiledTemplates(templatesRoot = path.join(root, 'templates')) {
  const entries = new Map();
  for (const entry of readdirSync(templatesRoot, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.hbs')) continue;
    const source = readFileSync(path.join(entry.parentPath, entry.name), 'utf8');
    entries.set(templateKey(source), Handlebars.precompile(source, { ...COMPILE_OPTIONS }));
  }
  const rows = [...entries].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, spec]) => `[${JSON.stringify(key)}, ${spec}]`);
  // CommonJS, loaded with require(); minified, since Node parses all of it on every generation.
  const code = transformSync(`module.exports = new Map([\n${rows.join(',\n')}\n]);\n`, { minifyWhitespace: true, minifySyntax: true, format: 'cjs' }).code;
  return `// Generated by scripts/build.mjs from templates/**/*.hbs.\n${code}`;
}

/** The bin, the commands, `vendor/`, licences and precompiled templates into `outdir`. */
export async function buildCli(outdir = path.join(root, 'dist')) {
  rmSync(outdir, { recursive: true, force: true });
  const results = await Promise.all([
    build(entryOptions({ outdir })),
    ...COMMANDS.map((name) => build(commandOptions({ entryPoints: { [name]: path.join(root, 'src', 'commands', `${name}.ts`) }, outdir }))),
    build(vendorOptions({ outdir })),
  ]);
  writeFileSync(path.join(outdir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  const inputs = Object.assign({}, ...results.map((result) => result.metafile.inputs));
  writeFileSync(path.join(outdir, 'THIRD-PARTY-LICENSES.md'), thirdPartyLicenses({ inputs }));
  writeFileSync(path.join(outdir, 'precompiled-templates.js'), precompiledTemplates());
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildCli();
