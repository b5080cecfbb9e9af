import { readFile, readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliArgs } from '../args.js';
import { consoleOutput, type Output } from '../context.js';
import { CancelledError, ExitCode, usageError } from '../errors.js';
import { findGeneratedRepo, readRepoFile, repoPath, writeManifest } from '../lifecycle/repo.js';
import { hashContent } from '../render/manifest.js';
import { templatesDir } from '../version.js';

export type AddKind = 'tool' | 'resource' | 'prompt';

/** The MCP spec's rule for tool names; resources and prompts follow it too, so one name works everywhere. */
const NAME = /^[A-Za-z0-9_.-]{1,128}$/;
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
  const { root, manifest } = await findGeneratedRepo(cwd);
  const [name, ...extra] = args.positionals;
  if (name === undefined || extra.length > 0) throw usageError(`usage: create-mcp-prod add-${kind} <name> [--description <text>] [--yes]`);
  if (!NAME.test(name)) throw usageError(`invalid ${kind} name "${name}": use 1 to 128 letters, digits, "_", "-" or "."`);
  const words = name.split(/[^A-Za-z0-9]+/).filter((word) => word !== '');
  if (words.length === 0) throw usageError(`invalid ${kind} name "${name}": it needs a letter or a digit`);

  const file = words.join('-').toLowerCase();
  const where = layout(kind, file);
  const pascal = words.map((word) => word[0]?.toUpperCase() + word.slice(1)).join('');
  const identifier = /^[0-9]/.test(pascal) ? `${kind}${pascal}` : pascal[0]?.toLowerCase() + pascal.slice(1);
  const registerName = `register${/^[0-9]/.test(pascal) ? `_${pascal}` : pascal}${kind === 'tool' ? '' : kind === 'resource' ? 'Resource' : 'Prompt'}`;

  await assertNotTaken(root, kind, name, where);
  const index = await readRepoFile(root, where.index);
  if (index === undefined) throw usageError(`${where.index} is missing: add-${kind} registers the new ${kind} there`);
  const indexText = index.toString('utf8');
  for (const marker of [where.importMarker, where.entryMarker]) {
    if (!indexText.includes(marker)) throw usageError(`${where.index} has no "${marker}" line: put it back where new ${kind}s go`);
  }

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
  await generate(root, kind, where, data, `import { ${kind === 'tool' ? identifier : registerName} } from './${file}.js';`, entry, indexText);

  for (const written of [where.module, where.test]) {
    const content = await readRepoFile(root, written);
    if (content !== undefined) manifest.files[written] = { owner: 'user', hash: hashContent(content) };
  }
  await writeManifest(root, manifest);
  out.info(`Added ${kind} ${name}: ${where.module}, ${where.test}, registered in ${where.index}.`);
  // tools/list changed, and the repo's schema snapshots say so until they are written for the new tool.
  if (kind === 'tool') out.info('Next: npx vitest run test/tools/schemas.test.ts -u  (records its schema snapshot; commit it)');
  return ExitCode.ok;
}

async function assertNotTaken(root: string, kind: AddKind, name: string, where: ReturnType<typeof layout>): Promise<void> {
  // The name first: another module may register it under a different file name.
  const folder = path.join(root, 'src', `${kind}s`);
  const quoted = new RegExp(`(?:name:\\s*|register(?:Tool|Resource|Prompt)\\(\\s*)['"\`]${name.replace(/[.]/g, '\\.')}['"\`]`);
  for (const entry of await readdir(folder).catch(() => [])) {
    if (!entry.endsWith('.ts')) continue;
    if (quoted.test(await readFile(path.join(folder, entry), 'utf8'))) throw usageError(`a ${kind} named "${name}" already exists (src/${kind}s/${entry})`);
  }
  for (const file of [where.module, where.test]) {
    if ((await readRepoFile(root, file)) !== undefined) throw usageError(`${file} already exists: pick another ${kind} name`);
  }
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
 * that insert above the marked lines of the index. On any failure the files are put back.
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
  const templates = path.join(fileURLToPath(templatesDir), kind);
  const { default: nodePlop } = await import('node-plop');
  const plop = await nodePlop(undefined, { destBasePath: root, force: false });
  const above = (marker: string) => new RegExp(`^([ \\t]*)${marker.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'm');
  plop.setGenerator(kind, {
    description: `a new ${kind}`,
    prompts: [],
    actions: [
      { type: 'add', path: where.module, templateFile: path.join(templates, `${kind}.ts.hbs`), abortOnFail: true },
      { type: 'add', path: where.test, templateFile: path.join(templates, `${kind}.test.ts.hbs`), abortOnFail: true },
      // `$&` is the marker line itself, kept below the inserted line; `$1` its indentation.
      { type: 'modify', path: where.index, pattern: above(where.importMarker), template: `${importLine}\n$&`, abortOnFail: true },
      { type: 'modify', path: where.index, pattern: above(where.entryMarker), template: `$1${entry}\n$&`, abortOnFail: true },
    ],
  });
  const { failures } = await plop.getGenerator(kind).runActions(data);
  if (failures.length > 0) {
    await writeFile(repoPath(root, where.index), originalIndex);
    await Promise.all([where.module, where.test].map((file) => rm(repoPath(root, file), { force: true })));
    throw new Error(`add-${kind} failed: ${failures[0]?.error ?? 'unknown error'}`);
  }
}
