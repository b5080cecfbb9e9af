import { lstat, readFile, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliArgs } from '../args.js';
import { consoleOutput, type Output } from '../context.js';
import { CancelledError, CliError, ExitCode, fileSystemError, usageError } from '../errors.js';
import { declaredNames, isReservedWord } from '../identifiers.js';
import { findGeneratedRepo, readRepoFile, repoPath, writeBlocker, writeManifest, writeRepoFile } from '../lifecycle/repo.js';
import { withRepoLock } from '../lifecycle/repo-lock.js';
import { compareVersions } from '../lifecycle/versions.js';
import { MANIFEST_FILE, hashContent, type Manifest } from '../render/manifest.js';
import { holdStopSignals, signalExitCode } from '../stop-signals.js';
import { generatorPackage, templatesDir } from '../version.js';

export type AddKind = 'tool' | 'resource' | 'prompt';

/**
 * The MCP spec's rule for tool names, starting with a letter like the identifier and toolset made
 * from it; resources and prompts follow it too, so one name works everywhere.
 */
const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/;
const FIELD = /^([A-Za-z_][A-Za-z0-9_]*)(?::(string|number|boolean))?$/;
const DEFAULT_DESCRIPTIONS: Record<AddKind, string> = {
  tool: 'Describe what this tool does, in one short line.',
  resource: 'Describe what this resource holds.',
  prompt: 'Describe what this prompt asks for.',
};

interface Field {
  name: string;
  type: 'string' | 'number' | 'boolean';
  label: string;
}

/** Where each kind goes: its module and test, and the user-owned index with the two marked lines. */
function layout(kind: AddKind, file: string) {
  const folder = `${kind}s`;
  return {
    module: `src/${folder}/${file}.ts`,
    test: `test/${folder}/${file}.test.ts`,
    index: `src/${folder}/index.ts`,
    importMarker: `// create-mcp-prod add-${kind}: imports above this line`,
    entryMarker: `// create-mcp-prod add-${kind}: ${kind === 'tool' ? 'tools' : 'registrations'} above this line`,
  };
}

/**
 * `add-tool`, `add-resource`, `add-prompt`: a node-plop generator writes the module and its test
 * from templates/<kind>/ and inserts the import and the registration at the marked lines of the
 * user's index file; the new files are recorded in `.mcp-prod.json` as the user's. Every check
 * runs before anything is written: a bad name, a duplicate, a description over the budget or a
 * missing marker is one line, exit 64, and no file changed.
 */
export interface AddOptions {
  cwd?: string;
  out?: Output;
  /** Asks for what flags did not give; injected so the interactive path is testable. Used only on a terminal without --yes. */
  ask?: typeof askWithPrompts;
  interactive?: boolean;
}

export async function add(
  args: CliArgs,
  { cwd = process.cwd(), out = consoleOutput, ask = askWithPrompts, interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY) }: AddOptions = {},
): Promise<number> {
  const kind = args.command.slice('add-'.length) as AddKind;
  const { root } = await findGeneratedRepo(cwd);
  const [name, ...extra] = args.positionals;
  if (name === undefined || extra.length > 0) throw usageError(`usage: create-mcp-prod add-${kind} <name> [--description <text>] [--yes]`);
  const names = namesFor(kind, name);
  // Everything from the first read to the last write happens under the lock: two runs at once
  // would each insert into the index they read and lose the other's lines.
  return withRepoLock(root, () => addLocked(root, kind, names, args, { out, ask, interactive }));
}

/** What a name becomes: the file name, the identifier the index imports, the title. */
interface Names {
  name: string;
  words: string[];
  file: string;
  identifier: string;
  registerName: string;
  /** The identifier the index file imports: the tool itself, or the resource's or prompt's register function. */
  imported: string;
}

/** Checks the name and derives the rest from it; a name that cannot work anywhere is refused here. */
function namesFor(kind: AddKind, name: string): Names {
  if (!NAME.test(name)) throw usageError(`invalid ${kind} name "${name}": start with a letter, then use up to 127 letters, digits, "_", "-" or "."`);
  // The SDK keeps registrations in plain objects, where these names are already taken.
  if (name in Object.prototype) throw usageError(`invalid ${kind} name "${name}": every JavaScript object already has a "${name}", so the SDK cannot register it`);
  const words = name.split(/[^A-Za-z0-9]+/).filter((word) => word !== '');
  const pascal = words.map((word) => word[0]?.toUpperCase() + word.slice(1)).join('');
  const identifier = pascal[0]?.toLowerCase() + pascal.slice(1);
  const registerName = `register${pascal}${kind === 'tool' ? '' : kind === 'resource' ? 'Resource' : 'Prompt'}`;
  const imported = kind === 'tool' ? identifier : registerName;
  if (isReservedWord(imported)) throw usageError(`invalid ${kind} name "${name}": "${imported}" is a reserved word in JavaScript`);
  return { name, words, file: words.join('-').toLowerCase(), identifier, registerName, imported };
}

async function addLocked(
  root: string,
  kind: AddKind,
  { name, words, file, identifier, registerName, imported }: Names,
  args: CliArgs,
  { out, ask, interactive }: { out: Output; ask: NonNullable<AddOptions['ask']>; interactive: boolean },
): Promise<number> {
  const { manifest } = await findGeneratedRepo(root);
  // An older generator's templates may not fit a newer repo's code, as for update.
  const running = generatorPackage().version;
  if (compareVersions(running, manifest.version) < 0) {
    throw usageError(`this repo is at create-mcp-prod ${manifest.version}, newer than the running ${running}: run npx create-mcp-prod@${manifest.version} add-${kind} instead`);
  }
  const where = layout(kind, file);
  await assertNotTaken(root, kind, name, where);
  await assertWritable(root, kind, [where.module, where.test, where.index, MANIFEST_FILE]);
  const index = await readRepoFile(root, where.index);
  if (index === undefined) throw usageError(`${where.index} is missing: add-${kind} registers the new ${kind} there`);
  const indexText = index.toString('utf8');
  for (const marker of [where.importMarker, where.entryMarker]) {
    if (!markerLine(marker).test(indexText)) throw usageError(`${where.index} has no "${marker}" line: put it back, on a line of its own, where new ${kind}s go`);
  }
  await assertIdentifierFree(kind, name, imported, where.index, indexText);

  const answers = interactive && !args.yes ? await ask(kind, args.description) : { description: args.description ?? DEFAULT_DESCRIPTIONS[kind], fields: 'query' };
  const description = answers.description.trim();
  if (description === '' || /[\r\n]/.test(description)) throw usageError(`invalid --description: expected one line of text`);
  if (kind === 'tool') {
    const budget = await descriptionBudget(root);
    if (description.length > budget) {
      throw usageError(`the description has ${description.length} characters; the tool budget allows ${budget} (src/tools/budget.ts): put details in the docs`);
    }
  }
  const fields = parseFields(answers.fields);

  const title = words.map((word, i) => (i === 0 ? word[0]?.toUpperCase() + word.slice(1) : word)).join(' ');
  const data = {
    name,
    file,
    identifier,
    registerName,
    toolset: file,
    title,
    fields,
    descriptionLiteral: jsString(description),
    descriptionComment: description.replace(/\*\//g, '* /'),
    fieldNamesLiteral: JSON.stringify(fields.map((field) => field.name)),
    sampleArgsLiteral: JSON.stringify(Object.fromEntries(fields.map((field) => [field.name, sampleValue(field.type)]))),
    uriLiteral: jsString(`app://resource/${encodeURIComponent(name)}`),
  };
  const entry = kind === 'tool' ? `${identifier},` : `${registerName}(server, services);`;
  const manifestBefore = await readRepoFile(root, MANIFEST_FILE);
  // Ctrl-C or `kill` while the files are written waits for the step under way, then everything is put back.
  const stopSignals = holdStopSignals();
  try {
    await generate(root, kind, where, data, `import { ${imported} } from './${file}.js';`, entry, indexText);
    await recordAdded(root, kind, where, manifest, index);
    if (stopSignals.received !== undefined) {
      await undoAdd(root, where, index, manifestBefore);
      throw new CliError(`add-${kind} cancelled; nothing changed`, signalExitCode(stopSignals.received));
    }
  } finally {
    stopSignals.release();
  }
  out.info(`Added ${kind} ${name}: ${where.module}, ${where.test}, registered in ${where.index}.`);
  // tools/list changed, and the repo's schema snapshots say so until they are written for the new tool.
  if (kind === 'tool') out.info('Next: npx vitest run test/tools/schemas.test.ts -u  (records its schema snapshot; commit it)');
  return ExitCode.ok;
}

/**
 * The line a marker must have to itself (indentation and trailing blanks allowed): the check
 * before writing and the insert use this one pattern, so a marker the check accepts is one the
 * insert finds. `$1` is its indentation.
 */
function markerLine(marker: string): RegExp {
  return new RegExp(`^([ \\t]*)${marker.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}[ \\t\\r]*$`, 'm');
}

/**
 * The new identifier must be free in the index, which imports it, and in the generated module
 * and test, which declare their own names around it: a clash is a repo that does not compile.
 */
async function assertIdentifierFree(kind: AddKind, name: string, imported: string, indexFile: string, indexText: string): Promise<void> {
  if (declaredNames(indexText).has(imported)) throw usageError(`the ${kind} name "${name}" makes the identifier ${imported}, which ${indexFile} already has: pick another name`);
  const templates = path.join(fileURLToPath(templatesDir), kind);
  for (const template of [`${kind}.ts.hbs`, `${kind}.test.ts.hbs`]) {
    if (declaredNames(await readFile(path.join(templates, template), 'utf8')).has(imported)) {
      throw usageError(`the ${kind} name "${name}" makes the identifier ${imported}, which the generated ${kind} code uses for itself: pick another name`);
    }
  }
}

async function assertNotTaken(root: string, kind: AddKind, name: string, where: ReturnType<typeof layout>): Promise<void> {
  // The name first: another module may register it under a different file name.
  const folder = path.join(root, 'src', `${kind}s`);
  const quoted = new RegExp(`(?:name:\\s*|register(?:Tool|Resource|Prompt)\\(\\s*)['"\`]${name.replace(/[.]/g, '\\.')}['"\`]`);
  for (const entry of await readdir(folder).catch(() => [])) {
    if (!entry.endsWith('.ts')) continue;
    // A folder or a broken link by that name is no module; the check below stops it if it is in the way.
    const content = (await readRepoFile(root, `src/${kind}s/${entry}`))?.toString('utf8') ?? '';
    if (quoted.test(content)) throw usageError(`a ${kind} named "${name}" already exists (src/${kind}s/${entry})`);
  }
  for (const file of [where.module, where.test]) {
    if (await somethingAt(repoPath(root, file))) throw usageError(`${file} already exists: pick another ${kind} name`);
  }
}

/** Each file add-* writes must be one it can write in the repo: never through a symbolic link that leads out of it. */
async function assertWritable(root: string, kind: AddKind, files: readonly string[]): Promise<void> {
  for (const file of files) {
    const blocker = await writeBlocker(root, file);
    if (blocker !== undefined) throw usageError(`add-${kind} cannot write ${file} (${blocker})`);
  }
}

/** Whether anything is at the path: a file, a folder, even a broken link; any of them stops the new file. */
async function somethingAt(target: string): Promise<boolean> {
  return lstat(target).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return false;
      throw fileSystemError(error, `could not check ${target}`);
    },
  );
}

/** The description limit from the repo's own budget file, so a repo that changed it gets its own rule. */
async function descriptionBudget(root: string): Promise<number> {
  const text = (await readRepoFile(root, 'src/tools/budget.ts'))?.toString('utf8') ?? '';
  const match = /maxDescriptionChars:\s*([\d_]+)/.exec(text);
  return match?.[1] === undefined ? 50 : Number(match[1].replace(/_/g, ''));
}

function parseFields(list: string): Field[] {
  const fields = list
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item): Field => {
      const match = FIELD.exec(item);
      if (match?.[1] === undefined) throw usageError(`invalid field "${item}": use name or name:string|number|boolean`);
      // In an object literal `__proto__: …` sets the prototype, and the others shadow what every object has.
      if (match[1] in Object.prototype) throw usageError(`invalid field "${item}": every JavaScript object already has a "${match[1]}"`);
      return { name: match[1], type: (match[2] ?? 'string') as Field['type'], label: match[1].replace(/_/g, ' ') };
    });
  if (fields.length === 0) return [{ name: 'query', type: 'string', label: 'query' }];
  if (new Set(fields.map((field) => field.name)).size !== fields.length) throw usageError('two fields have the same name');
  return fields;
}

/** A single-quoted TypeScript string literal, like the rest of the generated code. */
function jsString(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function sampleValue(type: Field['type']): unknown {
  return type === 'number' ? 1 : type === 'boolean' ? true : 'example';
}

async function askWithPrompts(kind: AddKind, description: string | undefined): Promise<{ description: string; fields: string }> {
  const { default: prompts } = await import('prompts');
  const questions: import('prompts').PromptObject[] = [];
  if (description === undefined) questions.push({ type: 'text', name: 'description', message: `Short description of the ${kind}`, initial: DEFAULT_DESCRIPTIONS[kind] });
  if (kind === 'tool') questions.push({ type: 'text', name: 'fields', message: 'Input fields (comma list, e.g. city, days:number)', initial: 'query' });
  const result = await prompts(questions, { onCancel: () => { throw new CancelledError(); } });
  return { description: description ?? String(result.description ?? ''), fields: String(result.fields ?? 'query') };
}

/**
 * The node-plop generator: two `add` actions from templates/<kind>/ and two `modify` actions
 * that insert above the marked lines of the index. The index must then read exactly as the two
 * insertions make it; otherwise, or on any failure, the files are put back and nothing changed.
 */
async function generate(
  root: string,
  kind: AddKind,
  where: ReturnType<typeof layout>,
  data: Record<string, unknown>,
  importLine: string,
  entry: string,
  originalIndex: string,
): Promise<void> {
  // Replacements for the marker line: `$&` is the line itself, kept below the inserted line; `$1` its indentation.
  // The new lines end as the file's lines do (CRLF in a file saved on Windows), so it keeps one style.
  const eol = /\r\n/.test(originalIndex) ? '\r\n' : '\n';
  const insertions = [
    { marker: where.importMarker, template: `${importLine}${eol}$&` },
    { marker: where.entryMarker, template: `$1${entry}${eol}$&` },
  ];
  const expectedIndex = insertions.reduce((text, { marker, template }) => text.replace(markerLine(marker), template), originalIndex);
  const templates = path.join(fileURLToPath(templatesDir), kind);
  const { default: nodePlop } = await import('node-plop');
  const plop = await nodePlop(undefined, { destBasePath: root, force: false });
  plop.setGenerator(kind, {
    description: `a new ${kind}`,
    prompts: [],
    actions: [
      { type: 'add', path: where.module, templateFile: path.join(templates, `${kind}.ts.hbs`), abortOnFail: true },
      { type: 'add', path: where.test, templateFile: path.join(templates, `${kind}.test.ts.hbs`), abortOnFail: true },
      ...insertions.map(({ marker, template }) => ({ type: 'modify', path: where.index, pattern: markerLine(marker), template, abortOnFail: true })),
    ],
  });
  try {
    const { failures } = await plop.getGenerator(kind).runActions(data);
    if (failures.length > 0) throw new Error(String(failures[0]?.error ?? 'unknown error'));
    if ((await readRepoFile(root, where.index))?.toString('utf8') !== expectedIndex) throw new Error(`the lines were not inserted in ${where.index} as expected`);
  } catch (error) {
    await undoAdd(root, where, originalIndex);
    const reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    throw new CliError(`add-${kind} failed, nothing changed: ${reason}`);
  }
}

/**
 * Records the new module and test as the user's in .mcp-prod.json. If it cannot be written (read-only,
 * a full disk), the add is undone: files it does not record would be neither the user's nor managed.
 */
async function recordAdded(root: string, kind: AddKind, where: ReturnType<typeof layout>, manifest: Manifest, originalIndex: Buffer): Promise<void> {
  try {
    for (const written of [where.module, where.test]) {
      const content = await readRepoFile(root, written);
      if (content !== undefined) manifest.files[written] = { owner: 'user', hash: hashContent(content) };
    }
    await writeManifest(root, manifest);
  } catch (error) {
    await undoAdd(root, where, originalIndex);
    throw fileSystemError(error, `add-${kind} failed, nothing changed: cannot record the new files in ${MANIFEST_FILE}`);
  }
}

/** Puts the index (and the manifest, once written) back as they were and removes the module and test an add-* wrote. */
async function undoAdd(root: string, where: ReturnType<typeof layout>, originalIndex: string | Buffer, originalManifest?: Buffer): Promise<void> {
  await writeRepoFile(root, where.index, originalIndex);
  if (originalManifest !== undefined) await writeRepoFile(root, MANIFEST_FILE, originalManifest);
  await Promise.all([where.module, where.test].map((file) => rm(repoPath(root, file), { force: true })));
}
