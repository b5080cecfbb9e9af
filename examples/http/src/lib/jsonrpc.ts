import type { JSONRPCMessage, JSONRPCNotification, JSONRPCRequest, JSONRPCResponse, RequestId } from '@modelcontextprotocol/server';

/**
 * What kind of JSON-RPC message this is, asked in one place. The SDK has already validated every
 * message these see, so the shape tells the kind: a request has a method and an id, a
 * notification a method and no id, a response an id and no method.
 */
export function isRequest(message: JSONRPCMessage): message is JSONRPCRequest {
  return 'method' in message && 'id' in message && message.id !== undefined;
}

export function isNotification(message: JSONRPCMessage): message is JSONRPCNotification {
  return 'method' in message && !('id' in message && message.id !== undefined);
}

/** A result or an error answering a request (an error about an unreadable request has a null id). */
export function isResponse(message: JSONRPCMessage): message is JSONRPCResponse {
  return !('method' in message) && 'id' in message;
}

/** The id of the request a response answers, when it names one. */
export function respondsTo(message: JSONRPCMessage): RequestId | undefined {
  return isResponse(message) && message.id !== undefined && message.id !== null ? message.id : undefined;
}

export function isInitialize(message: JSONRPCMessage): message is JSONRPCRequest {
  return isRequest(message) && message.method === 'initialize';
}

/** A client's `notifications/cancelled` naming the request it gives up on. */
export function isCancellation(message: JSONRPCMessage): message is JSONRPCNotification & { params: { requestId: RequestId } } {
  if (!isNotification(message) || message.method !== 'notifications/cancelled') return false;
  const requestId = (message.params as { requestId?: unknown } | undefined)?.requestId;
  return typeof requestId === 'string' || typeof requestId === 'number';
}

/** The JSON-RPC messages in a parsed HTTP body: one message or a batch; anything else is none. */
export function messagesIn(body: unknown): JSONRPCMessage[] {
  const items = Array.isArray(body) ? body : [body];
  return items.filter((item): item is JSONRPCMessage => typeof item === 'object' && item !== null && 'jsonrpc' in item);
}

/** The ids of the requests among these messages: each is owed a response. */
export function requestIds(messages: readonly JSONRPCMessage[]): RequestId[] {
  return messages.flatMap((message) => (isRequest(message) ? [message.id] : []));
}
