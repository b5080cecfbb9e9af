import { ConfigError } from '../config.js';
import type { ToolDefinition } from './tool.js';

/**
 * The tools a deployment serves: those whose `toolset` is listed in `MCP_TOOLSETS` (all of them
 * when it is unset), sorted by name. The list is decided once at start-up and is the same for
 * every connection, as the protocol asks; the fixed order keeps `tools/list` byte-identical from
 * one start to the next, so clients (and model prompt caches) see no change where there is none.
 * A group that no tool belongs to stops the server: a typo must not quietly serve nothing.
 */
export function selectTools(tools: readonly ToolDefinition[], toolsets: readonly string[] | undefined): ToolDefinition[] {
  const known = [...new Set(tools.map((tool) => tool.toolset))].sort();
  if (toolsets !== undefined) {
    const unknown = toolsets.filter((name) => !known.includes(name));
    if (toolsets.length === 0 || unknown.length > 0) {
      const got = toolsets.length === 0 ? 'no group' : `unknown ${unknown.map((name) => JSON.stringify(name)).join(', ')}`;
      throw new ConfigError(`invalid configuration: MCP_TOOLSETS must list tool groups from ${known.join(', ')} (got ${got})`);
    }
  }
  const wanted = toolsets === undefined ? undefined : new Set(toolsets);
  return tools.filter((tool) => wanted === undefined || wanted.has(tool.toolset)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
