import { McpServer, type McpServerFactory } from '@modelcontextprotocol/server';
import { registerReviewNotePrompt } from './prompts/review-note.js';
import { registerNoteResources } from './resources/notes.js';
import { registerToolDocs } from './resources/tool-docs.js';
import { SERVER_INFO } from './server-info.js';
import type { Services } from './services.js';
import { tools } from './tools/index.js';
import { registerTool, type ToolCallObserver } from './tools/register.js';

const INSTRUCTIONS = 'Tool descriptions are short on purpose: read docs://tools/{name} for details before first use.';

/**
 * The server factory: tools, resources and prompts. The SDK calls it for each connection (stdio) or each request (HTTP), so
 * an instance holds no state of its own: shared things live in `services` (fix 3).
 */
export function createServerFactory(services: Services, observer?: ToolCallObserver): McpServerFactory {
  return () => {
    // `logging` lets 2025-era clients set a level; this server's own logs stay on stderr.
    const server = new McpServer(SERVER_INFO, { instructions: INSTRUCTIONS, capabilities: { logging: {} } });
    for (const tool of tools) registerTool(server, tool, services, observer);
    registerToolDocs(server, tools);
    registerNoteResources(server, services.notes);
    registerReviewNotePrompt(server, services.notes);
    return server;
  };
}
