import { McpServer, type McpRequestContext, type McpServerFactory } from '@modelcontextprotocol/server';
import { registerPrompts } from './prompts/index.js';
import { registerResources } from './resources/index.js';
import { registerToolDocs } from './resources/tool-docs.js';
import { SERVER_INFO } from './server-info.js';
import type { Services } from './services.js';
import { tools } from './tools/index.js';
import { registerTool } from './tools/register.js';
import { selectTools } from './tools/toolsets.js';
import { missingScopes } from './tools/scopes.js';

const INSTRUCTIONS = 'Tool descriptions are short on purpose: read docs://tools/{name} for details before first use.';

/**
 * The server factory: tools, resources and prompts. The SDK asks it for a server for each
 * connection (stdio) or each request (HTTP), and an instance may serve several requests one after
 * another (lib/server-reuse.ts). So an instance holds no state of its own: shared things live in
 * `services`, and what belongs to one call stays in that call's handler. A handler you register on
 * the SDK directly sends its notifications (`ctx.mcpReq.notify`, `log`) before it returns: after
 * that the instance may be answering someone else. Tools get no way to send (tools/tool.ts).
 */
export function createServerFactory(services: Services): McpServerFactory {
  // Chosen once, before any connection: every client sees the same list (MCP_TOOLSETS).
  const served = selectTools(tools, services.config.toolsets);
  return ({ authInfo }) => {
    // `logging` lets 2025-era clients set a level; this server's own logs stay on stderr.
    const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS, capabilities: { logging: {} } });
    // With OAuth, a token sees (and can call) only the tools its scopes allow.
    const callable = served.filter((tool) => missingScopes(tool, authInfo?.scopes).length === 0);
    for (const tool of callable) registerTool(server, tool, services);
    registerToolDocs(server, callable);
    // Yours: the lists in src/tools/index.ts, src/resources/index.ts and src/prompts/index.ts.
    registerResources(server, services);
    registerPrompts(server, services);
    return server;
  };
}

/**
 * Requests with the same key may be served by the same instance: the key names everything the
 * factory above reads from its context, here the token's scopes. If you make the factory depend on
 * more of the request (the caller, a header), add it to the key.
 */
export function serverKey({ authInfo }: McpRequestContext): string {
  return [...(authInfo?.scopes ?? [])].sort().join(' ');
}
