import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { missingScopes, type ScopedTool } from '../../tools/scopes.js';
import { sendChallenge } from './challenge.js';
import { authOf } from './middleware.js';

/** Answers a call the token may not make and returns false; true lets the request on. */
export type ToolScopeCheck = (req: IncomingMessage, res: ServerResponse, body: unknown) => boolean;

/**
 * Step-up authorization: a `tools/call` for a tool whose scopes the token lacks gets 403
 * `insufficient_scope` naming the scopes to ask for (those every request needs plus the tool's),
 * so the client can get a token with more scopes and try again.
 */
export function createToolScopeCheck(tools: readonly ScopedTool[], requiredScopes: readonly string[], resourceMetadataUrl: string): ToolScopeCheck {
  const byName = new Map(tools.map((tool) => [tool.name, tool]));
  return (req, res, body) => {
    const auth = authOf(req);
    if (auth === undefined) return true;
    for (const message of Array.isArray(body) ? (body as unknown[]) : [body]) {
      const tool = byName.get(calledTool(message) ?? '');
      if (tool === undefined || missingScopes(tool, auth.scopes).length === 0) continue;
      const scopes = [...new Set([...requiredScopes, ...(tool.scopes ?? [])])];
      sendChallenge(res, { resourceMetadataUrl, error: 'insufficient_scope', scopes });
      return false;
    }
    return true;
  };
}

function calledTool(message: unknown): string | undefined {
  const candidate = message as Partial<JSONRPCMessage> & { method?: unknown; params?: { name?: unknown } };
  if (typeof candidate !== 'object' || candidate === null || candidate.method !== 'tools/call') return undefined;
  return typeof candidate.params?.name === 'string' ? candidate.params.name : undefined;
}
