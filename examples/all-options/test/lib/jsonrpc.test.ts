import type { JSONRPCMessage } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import { isCancellation, isInitialize, isNotification, isRequest, isResponse, messagesIn, requestIds, respondsTo } from '../../src/lib/jsonrpc.js';

const request: JSONRPCMessage = { jsonrpc: '2.0', id: 1, method: 'tools/list' };
const notification: JSONRPCMessage = { jsonrpc: '2.0', method: 'notifications/initialized' };
const result: JSONRPCMessage = { jsonrpc: '2.0', id: 1, result: {} };
const error: JSONRPCMessage = { jsonrpc: '2.0', id: 2, error: { code: -32601, message: 'Method not found' } };

describe('JSON-RPC message kinds', () => {
  it('tells requests, notifications and responses apart by their shape', () => {
    expect([request, notification, result, error].map(isRequest)).toEqual([true, false, false, false]);
    expect([request, notification, result, error].map(isNotification)).toEqual([false, true, false, false]);
    expect([request, notification, result, error].map(isResponse)).toEqual([false, false, true, true]);
  });

  it('names the request a response answers, and none for a request or an error about no request', () => {
    expect(respondsTo(result)).toBe(1);
    expect(respondsTo(error)).toBe(2);
    expect(respondsTo(request)).toBeUndefined();
    expect(respondsTo({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Parse error' } } as unknown as JSONRPCMessage)).toBeUndefined();
  });

  it('recognises initialize and a cancellation that names its request', () => {
    expect(isInitialize({ jsonrpc: '2.0', id: 0, method: 'initialize', params: {} } as JSONRPCMessage)).toBe(true);
    expect(isInitialize(request)).toBe(false);
    expect(isCancellation({ jsonrpc: '2.0', method: 'notifications/cancelled', params: { requestId: 'a' } })).toBe(true);
    expect(isCancellation({ jsonrpc: '2.0', method: 'notifications/cancelled', params: {} })).toBe(false);
    expect(isCancellation({ jsonrpc: '2.0', id: 3, method: 'notifications/cancelled', params: { requestId: 'a' } })).toBe(false);
  });

  it('reads the messages of a body, one or a batch, and the request ids among them', () => {
    expect(messagesIn(request)).toEqual([request]);
    expect(messagesIn([request, notification, 'junk', null, { id: 9 }])).toEqual([request, notification]);
    expect(messagesIn(undefined)).toEqual([]);
    expect(requestIds([request, notification, result, { jsonrpc: '2.0', id: 'b', method: 'ping' }])).toEqual([1, 'b']);
  });
});
