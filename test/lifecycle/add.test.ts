import { readFile, writeFile } from 'node:fs/promises';
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
});
