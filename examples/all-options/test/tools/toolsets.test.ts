import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';
import { tools } from '../../src/tools/index.js';
import { selectTools } from '../../src/tools/toolsets.js';
import { connectInMemory } from '../helpers/client.js';
import { spawnServer } from '../helpers/server-process.js';
import { createTestServices, type TestServices } from '../helpers/services.js';

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const groups = [...new Set(tools.map((tool) => tool.toolset))].sort();

let services: TestServices;
beforeAll(async () => {
  services = await createTestServices();
});
afterAll(() => services.cleanup());

/** What a client sees from a server started with `MCP_TOOLSETS=toolsets`. */
async function listedWith(toolsets: string | undefined) {
  const config = loadConfig({ DATA_DIR: services.config.dataDir, ...(toolsets !== undefined && { MCP_TOOLSETS: toolsets }) });
  const client = await connectInMemory({ ...services, config });
  try {
    const { tools: listed } = await client.listTools();
    const { resources } = await client.listResources();
    return { listed, docs: resources.filter((resource) => resource.uri.startsWith('docs://')).map((resource) => resource.uri) };
  } finally {
    await client.close();
  }
}

describe('toolsets (MCP_TOOLSETS)', () => {
  it('every tool belongs to a group with a plain name', () => {
    for (const tool of tools) expect(tool.toolset).toMatch(/^[a-z][a-z0-9-]*$/);
  });

  it('serves every tool by default, sorted by name, the same list on every connection', async () => {
    const first = await listedWith(undefined);
    const second = await listedWith(undefined);
    expect(first.listed.map((tool) => tool.name)).toEqual(tools.map((tool) => tool.name).sort(byName));
    expect(JSON.stringify(second.listed)).toBe(JSON.stringify(first.listed));
  });

  it.each(groups)('serves only the tools of the group, and only their docs, with MCP_TOOLSETS=%s', async (group) => {
    const expected = tools.filter((tool) => tool.toolset === group).map((tool) => tool.name).sort(byName);
    const { listed, docs } = await listedWith(` ${group} ,`);
    expect(listed.map((tool) => tool.name)).toEqual(expected);
    expect(docs).toEqual(expected.map((name) => `docs://tools/${name}`));
  });

  it('refuses a group no tool belongs to, naming the variable and the known groups', () => {
    const select = () => selectTools(tools, loadConfig({ MCP_TOOLSETS: `${groups[0]},nope` }).toolsets);
    expect(select).toThrow(ConfigError);
    expect(select).toThrow(`MCP_TOOLSETS must list tool groups from ${groups.join(', ')} (got unknown "nope")`);
    expect(() => selectTools(tools, loadConfig({ MCP_TOOLSETS: ' , ' }).toolsets)).toThrow(/MCP_TOOLSETS .*got no group/);
  });

  it('stops the built server with one clear line and exit code 1 on an unknown group', async () => {
    const server = spawnServer({ env: { MCP_TOOLSETS: 'nope' } });
    try {
      expect((await server.waitForExit()).code).toBe(1);
      expect(server.logs()).toEqual([expect.objectContaining({ msg: expect.stringContaining('MCP_TOOLSETS must list tool groups from') })]);
    } finally {
      await server.cleanup();
    }
  });
});
