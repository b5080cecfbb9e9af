import { ResourceTemplate, type McpServer } from '@modelcontextprotocol/server';
import { buildUri, matchUri } from '../lib/uri.js';
import type { ToolDefinition } from '../tools/tool.js';

const MIME_TYPE = 'text/markdown';

/**
 * The long form of each tool's documentation, read on demand instead of costing tokens in every
 * `tools/list`.
 */
export function registerToolDocs(server: McpServer, tools: readonly ToolDefinition[]): void {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  server.registerResource(
    'tool-docs',
    new ResourceTemplate('docs://tools/{name}', {
      list: () => ({
        resources: tools.map((tool) => ({
          uri: buildUri('docs', 'tools', tool.name),
          name: `${tool.name} documentation`,
          mimeType: MIME_TYPE,
        })),
      }),
    }),
    { title: 'Tool documentation', description: 'Details, examples and limits of each tool', mimeType: MIME_TYPE },
    (uri) => {
      const [name] = matchUri(uri.href, 'docs', 'tools') ?? [];
      const tool = name === undefined ? undefined : byName.get(name);
      if (!tool) throw new Error(`no documentation for ${uri.href}`);
      return { contents: [{ uri: uri.href, mimeType: MIME_TYPE, text: tool.docs }] };
    },
  );
}
