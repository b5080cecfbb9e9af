import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/server';
import type * as z from 'zod';
import { withCachedJsonSchema } from '../lib/json-schema-cache.js';
import type { Logger } from '../lib/logger.js';
import { renderData } from '../lib/results.js';
import type { Services } from '../services.js';
import type { Caller } from './scopes.js';

/**
 * What a tool gets besides its input. Per call: keep request state nowhere else, or concurrent
 * calls see each other's.
 */
export interface ToolContext {
  /** Aborted when the client cancels or disconnects, or at shutdown: pass it on to slow work. */
  signal: AbortSignal;
  logger: Logger;
  services: Services;
  /** Who called, when the server checks OAuth access tokens (HTTP with OAUTH_ISSUER); otherwise undefined. */
  caller?: Caller | undefined;
}

/**
 * One tool. `description`, `inputSchema` and `outputSchema` are sent to the model on every
 * `tools/list`, so they stay short: every token is paid in every conversation
 * (`npm run audit:tools` counts them against the budget in src/tools/budget.ts); details,
 * examples and limits go in `docs`, served as the resource `docs://tools/{name}`.
 *
 * Data or prose? A tool that returns data (records, rows, ids, a count, a cursor) declares an
 * `outputSchema` and answers with `dataResult(...)`: clients and agent frameworks read
 * `structuredContent` as an object checked against the schema, and clients that read only text
 * get the same JSON in a text block. A tool whose answer is prose written for the model (a
 * summary, an explanation) has nothing for a program to read: leave `outputSchema` out and answer
 * with `textResult(...)`. Never return a bare array: `structuredContent` must be an object, so
 * put lists under a field (`{ rows: [...] }`), with `nextCursor` beside them when paginated.
 */
export interface ToolDefinition<Input extends z.ZodObject = z.ZodObject, Output extends z.ZodObject = z.ZodObject> {
  name: string;
  /**
   * The group this tool belongs to: `MCP_TOOLSETS` picks the groups a deployment serves, so a
   * large catalog costs each client only what it needs. Lower-case letters, digits and `-`.
   */
  toolset: string;
  title: string;
  description: string;
  inputSchema: Input;
  /** The shape of `structuredContent`, for tools that return data (see above). */
  outputSchema?: Output;
  annotations?: ToolAnnotations;
  /** OAuth scopes a caller's token must carry (HTTP with OAUTH_ISSUER); tokens without them do not see the tool. */
  scopes?: readonly string[];
  docs: string;
  run(input: z.infer<Input>, context: ToolContext): Promise<CallToolResult>;
}

/**
 * Declares a tool. Call it at module scope, as the tools here do: the schemas are then built and
 * converted to JSON Schema once per process, not on every request (stateless HTTP builds a server
 * instance per request, and registers every tool on it).
 */
export function defineTool<Input extends z.ZodObject, Output extends z.ZodObject>(
  tool: ToolDefinition<Input, Output>,
): ToolDefinition<Input, Output> {
  withCachedJsonSchema(tool.inputSchema);
  if (tool.outputSchema) withCachedJsonSchema(tool.outputSchema);
  return tool;
}

/** An error whose message is meant for the client (bad input, not found); anything else is logged as a bug. */
export class ToolError extends Error {
  override name = 'ToolError';
}

/** A data result: `structuredContent` for programs, the same JSON as text for clients that read only text. */
export function dataResult(data: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: renderData(data) }], structuredContent: data };
}

export function textResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }] };
}

export function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}
