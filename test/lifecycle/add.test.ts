import { mkdir, readFile, rename, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/args.js';
import { add } from '../../src/commands/add.js';
import type { Output } from '../../src/context.js';
import { CliError } from '../../src/errors.js';
import { parseManifest } from '../../src/render/manifest.js';
import { renderRepo } from '../../src/steps/render.js';
import { snapshotTree, useTempDirs } from '../helpers/fs.js';

const tempDir = useTempDirs('add-');
const quiet: Output = { info: () => undefined, warn: () => undefined };

async function freshRepo(): Promise<string> {
  const root = path.join(await tempDir(), 'repo');
  await renderRepo({ answers: { name: 'demo', description: 'd', transports: ['stdio'], db: 'none' }, destDir: root });
  return root;
}

const run = (root: string, argv: string[]) => add(parseCliArgs([...argv, '--yes']), { cwd: root, out: quiet });

describe('add-tool, add-resource, add-prompt', () => {
  it('writes the module and its test, registers it at the marked lines, and records both as the user’s', async () => {
    const root = await freshRepo();
    expect(await run(root, ['add-tool', 'get_weather', '--description', "It's sunny."])).toBe(0);
    const module = await readFile(path.join(root, 'src/tools/get-weather.ts'), 'utf8');
    expect(module).toContain("name: 'get_weather',");
    expect(module).toContain("const DESCRIPTION = 'It\\'s sunny.';");
    expect(module).toContain('outputSchema: output,');
    const index = await readFile(path.join(root, 'src/tools/index.ts'), 'utf8');
    expect(index).toContain("import { getWeather } from './get-weather.js';\n// create-mcp-prod add-tool: imports above this line");
    expect(index).toContain('  getWeather,\n  // create-mcp-prod add-tool: tools above this line');
    const manifest = parseManifest(await readFile(path.join(root, '.mcp-prod.json'), 'utf8'));
    expect(manifest.files['src/tools/get-weather.ts']?.owner).toBe('user');
    expect(manifest.files['test/tools/get-weather.test.ts']?.owner).toBe('user');

    expect(await run(root, ['add-resource', 'status'])).toBe(0);
    expect(await readFile(path.join(root, 'src/resources/index.ts'), 'utf8')).toContain('  registerStatusResource(server, services);\n');
    expect(await run(root, ['add-prompt', 'plan-trip'])).toBe(0);
    expect(await readFile(path.join(root, 'src/prompts/index.ts'), 'utf8')).toContain('  registerPlanTripPrompt(server, services);\n');
  });

  it.each([
    [['add-tool', 'bad name'], /invalid tool name/],
    [['add-tool', 'x'.repeat(129)], /invalid tool name/],
    [['add-tool', 'append_note'], /a tool named "append_note" already exists/],
    [['add-tool', 'append-note'], /src\/tools\/append-note\.ts already exists/],
    [['add-tool', 'wordy', '--description', 'x'.repeat(51)], /51 characters; the tool budget allows 50/],
    [['add-prompt', 'review_note'], /a prompt named "review_note" already exists/],
    [['add-tool', '123'], /invalid tool name "123": start with a letter/],
    [['add-tool', '_x'], /invalid tool name "_x": start with a letter/],
    [['add-tool', 'delete'], /"delete" is a reserved word in JavaScript/],
    [['add-tool', 'class'], /"class" is a reserved word in JavaScript/],
    [['add-tool', 'constructor'], /every JavaScript object already has a "constructor", so the SDK cannot register it/],
    [['add-tool', 'toString'], /already has a "toString"/],
    [['add-resource', 'hasOwnProperty'], /already has a "hasOwnProperty"/],
    [['add-tool', 'tools'], /makes the identifier tools, which src\/tools\/index\.ts already has/],
    [['add-tool', 'appendNote'], /makes the identifier appendNote, which src\/tools\/index\.ts already has/],
    [['add-prompt', 'reviewNote'], /makes the identifier registerReviewNotePrompt, which src\/prompts\/index\.ts already has/],
    [['add-tool', 'output'], /makes the identifier output, which the generated tool code uses for itself/],
    [['add-tool', 'expect'], /makes the identifier expect, which the generated tool code uses for itself/],
  ])('refuses %j with one line, exit 64, nothing changed', async (argv, message) => {
    const root = await freshRepo();
    const before = await snapshotTree(root);
    const error = await run(root, argv).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(64);
    expect((error as CliError).message).toMatch(message);
    expect((error as CliError).message).not.toContain('\n');
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('refuses a name whose identifier an earlier add-tool took under another spelling', async () => {
    const root = await freshRepo();
    expect(await run(root, ['add-tool', 'a-b'])).toBe(0);
    const before = await snapshotTree(root);
    await expect(run(root, ['add-tool', 'aB'])).rejects.toThrow(/makes the identifier aB, which src\/tools\/index\.ts already has/);
    expect(await snapshotTree(root)).toEqual(before);
  });

  it.each(['src/tools/bar.ts', 'test/tools/bar.test.ts'])('refuses when a folder is at %s, exit 64, nothing changed', async (folder) => {
    const root = await freshRepo();
    await mkdir(path.join(root, folder), { recursive: true });
    const before = await snapshotTree(root);
    const error = await run(root, ['add-tool', 'bar']).catch((caught: unknown) => caught);
    expect((error as CliError).exitCode).toBe(64);
    expect((error as CliError).message).toBe(`${folder} already exists: pick another tool name`);
    expect(await snapshotTree(root)).toEqual(before);
  });

  it.each(['test/tools', 'src/tools/index.ts'])('refuses when %s is a symbolic link out of the repo, exit 64, nothing changed in or out', async (link) => {
    const root = await freshRepo();
    const outside = await tempDir();
    await rename(path.join(root, link), path.join(outside, 'moved'));
    await symlink(path.join(outside, 'moved'), path.join(root, link));
    const before = { repo: await snapshotTree(root), outside: await snapshotTree(outside) };
    const error = await run(root, ['add-tool', 'bar']).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ exitCode: 64, message: expect.stringMatching(new RegExp(`^add-tool cannot write .*\\(${link} is a symbolic link out of the repo\\)`)) });
    expect({ repo: await snapshotTree(root), outside: await snapshotTree(outside) }).toEqual(before);
  });

  it('keeps the keys of .mcp-prod.json it does not know', async () => {
    const root = await freshRepo();
    const manifestFile = path.join(root, '.mcp-prod.json');
    await writeFile(manifestFile, JSON.stringify({ ...JSON.parse(await readFile(manifestFile, 'utf8')), team: 'payments' }));
    expect(await run(root, ['add-tool', 'fresh'])).toBe(0);
    const written = JSON.parse(await readFile(manifestFile, 'utf8'));
    expect(written.team).toBe('payments');
    expect(written.files['src/tools/fresh.ts']).toMatchObject({ owner: 'user' });
  });

  it('refuses a repo made by a newer create-mcp-prod, exit 64, nothing changed', async () => {
    const root = await freshRepo();
    const manifestFile = path.join(root, '.mcp-prod.json');
    await writeFile(manifestFile, JSON.stringify({ ...JSON.parse(await readFile(manifestFile, 'utf8')), version: '99.0.0' }));
    const before = await snapshotTree(root);
    await expect(run(root, ['add-tool', 'fresh'])).rejects.toMatchObject({
      exitCode: 64,
      message: expect.stringMatching(/^this repo is at create-mcp-prod 99\.0\.0, newer than the running .*: run npx create-mcp-prod@99\.0\.0 add-tool instead$/),
    });
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('finds a marker line with trailing blanks, and inserts above it', async () => {
    const root = await freshRepo();
    const indexFile = path.join(root, 'src/tools/index.ts');
    await writeFile(indexFile, (await readFile(indexFile, 'utf8')).replace(/(add-tool: (?:imports|tools) above this line)\n/g, '$1  \t\n'));
    expect(await run(root, ['add-tool', 'fresh'])).toBe(0);
    const index = await readFile(indexFile, 'utf8');
    expect(index).toContain("import { fresh } from './fresh.js';\n// create-mcp-prod add-tool: imports above this line  \t\n");
    expect(index).toContain('  fresh,\n  // create-mcp-prod add-tool: tools above this line  \t\n');
  });

  it('keeps CRLF line endings (and a byte order mark) in an index saved that way', async () => {
    const root = await freshRepo();
    const indexFile = path.join(root, 'src/tools/index.ts');
    const original = `\uFEFF${(await readFile(indexFile, 'utf8')).replace(/\n/g, '\r\n')}`;
    await writeFile(indexFile, original);
    expect(await run(root, ['add-tool', 'fresh'])).toBe(0);
    const index = await readFile(indexFile, 'utf8');
    expect(index).toContain("import { fresh } from './fresh.js';\r\n// create-mcp-prod add-tool: imports above this line\r\n");
    expect(index).toContain('  fresh,\r\n  // create-mcp-prod add-tool: tools above this line\r\n');
    expect(index.startsWith('\uFEFF')).toBe(true);
    expect(index.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('refuses, changing nothing, when the marker shares its line with code', async () => {
    const root = await freshRepo();
    const indexFile = path.join(root, 'src/tools/index.ts');
    await writeFile(indexFile, (await readFile(indexFile, 'utf8')).replace('  // create-mcp-prod add-tool: tools', '  watchNote, // create-mcp-prod add-tool: tools'));
    const before = await snapshotTree(root);
    await expect(run(root, ['add-tool', 'fresh'])).rejects.toThrow(/has no "\/\/ create-mcp-prod add-tool: tools above this line" line: put it back, on a line of its own/);
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('runs started together either finish with the index and manifest holding all they added, or are refused in one line', async () => {
    const root = await freshRepo();
    const names = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
    const results = await Promise.allSettled(names.map((name) => run(root, ['add-tool', name])));
    const added = names.filter((_, i) => results[i]?.status === 'fulfilled');
    expect(added.length).toBeGreaterThan(0);
    for (const result of results) {
      if (result.status === 'fulfilled') expect(result.value).toBe(0);
      else expect(result.reason).toMatchObject({ exitCode: 75, message: expect.stringMatching(/^another create-mcp-prod command is changing this repo \(pid \d+\); if none is running, delete [^\n]+$/) });
    }
    const index = await readFile(path.join(root, 'src/tools/index.ts'), 'utf8');
    const manifest = parseManifest(await readFile(path.join(root, '.mcp-prod.json'), 'utf8'));
    for (const name of names) {
      const wasAdded = added.includes(name);
      expect(index.includes(`import { ${name} } from './${name}.js';\n`), name).toBe(wasAdded);
      expect(index.includes(`  ${name},\n`), name).toBe(wasAdded);
      expect(manifest.files[`src/tools/${name}.ts`] !== undefined, name).toBe(wasAdded);
      expect(manifest.files[`test/tools/${name}.test.ts`] !== undefined, name).toBe(wasAdded);
    }
    expect(Object.keys(manifest.files)).not.toContain('.mcp-prod.lock');
    expect((await snapshotTree(root)).map(([file]) => file)).not.toContain('.mcp-prod.lock');
  });

  it('refuses, changing nothing, when the marked line was removed from the index', async () => {
    const root = await freshRepo();
    const indexFile = path.join(root, 'src/tools/index.ts');
    await writeFile(indexFile, (await readFile(indexFile, 'utf8')).replace(/^.*add-tool: tools above this line\n/m, ''));
    const before = await snapshotTree(root);
    await expect(run(root, ['add-tool', 'fresh'])).rejects.toThrow(/has no "\/\/ create-mcp-prod add-tool: tools above this line" line/);
    expect(await snapshotTree(root)).toEqual(before);
  });

  it('on a terminal asks for the description and the input fields, and builds the schema from them', async () => {
    const root = await freshRepo();
    const asked: string[] = [];
    const ask = async (kind: string, description: string | undefined) => {
      asked.push(`${kind} ${String(description)}`);
      return { description: 'Forecast for a city.', fields: 'city, days:number, metric:boolean' };
    };
    expect(await add(parseCliArgs(['add-tool', 'forecast']), { cwd: root, out: quiet, ask, interactive: true })).toBe(0);
    expect(asked).toEqual(['tool undefined']);
    const module = await readFile(path.join(root, 'src/tools/forecast.ts'), 'utf8');
    expect(module).toContain("const DESCRIPTION = 'Forecast for a city.';");
    expect(module).toContain("    city: z.string().describe('city'),\n    days: z.number().describe('days'),\n    metric: z.boolean().describe('metric'),\n");
    const test = await readFile(path.join(root, 'test/tools/forecast.test.ts'), 'utf8');
    expect(test).toContain('arguments: {"city":"example","days":1,"metric":true}');
    expect(test).toContain('toEqual(["city","days","metric"])');
  });

  it('refuses a bad field from the terminal with one line, nothing changed', async () => {
    const root = await freshRepo();
    const before = await snapshotTree(root);
    const ask = async () => ({ description: 'Fine.', fields: 'city, 2days' });
    await expect(add(parseCliArgs(['add-tool', 'forecast']), { cwd: root, out: quiet, ask, interactive: true })).rejects.toThrow(/invalid field "2days"/);
    expect(await snapshotTree(root)).toEqual(before);
  });

  it.each(['__proto__', 'constructor', 'toString'])('refuses the field %s, which every object already has, nothing changed', async (field) => {
    const root = await freshRepo();
    const before = await snapshotTree(root);
    const ask = async () => ({ description: 'Fine.', fields: `city, ${field}` });
    await expect(add(parseCliArgs(['add-tool', 'forecast']), { cwd: root, out: quiet, ask, interactive: true })).rejects.toThrow(
      `invalid field "${field}": every JavaScript object already has a "${field}"`,
    );
    expect(await snapshotTree(root)).toEqual(before);
  });
});
