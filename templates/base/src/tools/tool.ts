import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/server';
import type * as z from 'zod';
import type { Logger } from '../lib/logger.js';
import type { Services } from '../services.js';
import type { Caller } from './scopes.js';

/** What a tool gets besides its input. Per call: never keep request state anywhere else (fix 3). */
export interface ToolContext {
  /** Aborted when the client cancels or disconnects, or at shutdown: pass it on to slow work. */
  signal: AbortSignal;
  logger: Logger;
  services: Services;
  /** Who called, when the server checks OAuth access tokens (HTTP with OAUTH_ISSUER); otherwise undefined. */
  caller?: Caller | undefined;
}

/**
 * One tool. `description` and `inputSchema` are sent to the model on every `tools/list`, so they
 * stay short (fix 1: `npm run audit:tools` enforces the budget in src/tools/budget.ts); details,
 * examples and limits go in `docs`, served as the resource `docs://tools/{name}`.
 */
export interface ToolDefinition<Input extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  inputSchema: Input;
  annotations?: ToolAnnotations;
  /** OAuth scopes a caller's token must carry (HTTP with OAUTH_ISSUER); tokens without them do not see the tool. */
  scopes?: readonly string[];
  docs: string;
  run(input: z.infer<Input>, context: ToolContext): Promise<CallToolResult>;
}

export function defineTool<Input extends z.ZodObject>(tool: ToolDefinition<Input>): ToolDefinition<Input> {
  return tool;
}

/** An error whose message is meant for the client (bad input, not found); anything else is logged as a bug. */
export class ToolError extends Error {
  override name = 'ToolError';
}

export function textResult(text: string): CallToolResult {
  return { content: [{ type: 'text', text }] };
}

export function errorResult(message: string): CallToolResult {
  return { content: [{ type: 'text', text: message }], isError: true };
}
