import type { AuthInfo } from '@modelcontextprotocol/server';

/** The part of a tool definition that says which OAuth scopes a caller needs. */
export interface ScopedTool {
  name: string;
  scopes?: readonly string[];
}

/** Who called a tool, as the verified access token says (HTTP with OAUTH_ISSUER only). */
export interface Caller {
  /** The token's `sub`: the user (or, for machine clients, often the client itself). */
  subject: string | undefined;
  clientId: string;
  scopes: string[];
}

/**
 * The scopes a tool needs that the caller's token lacks. `granted` is undefined when the server
 * does not check OAuth tokens (stdio, or HTTP without OAUTH_ISSUER): nothing is missing then.
 */
export function missingScopes(tool: ScopedTool, granted: readonly string[] | undefined): string[] {
  if (granted === undefined) return [];
  return (tool.scopes ?? []).filter((scope) => !granted.includes(scope));
}

export function callerOf(auth: AuthInfo | undefined): Caller | undefined {
  if (auth === undefined) return undefined;
  const subject = auth.extra?.subject;
  return { subject: typeof subject === 'string' ? subject : undefined, clientId: auth.clientId, scopes: [...auth.scopes] };
}
