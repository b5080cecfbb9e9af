import type { ServerResponse } from 'node:http';

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Errors on MCP endpoints are JSON-RPC shaped, so clients can show the message. */
export function sendJsonRpcError(
  res: ServerResponse,
  status: number,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { jsonrpc: '2.0', error: { code, message }, id: null }, headers);
}

export const JSONRPC = {
  parseError: -32_700,
  invalidRequest: -32_600,
  internalError: -32_603,
  /** Implementation-defined server errors (-32000 to -32099). */
  serverError: -32_000,
} as const;
