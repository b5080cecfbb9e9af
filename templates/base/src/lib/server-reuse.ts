import { McpServer, type McpRequestContext, type McpServerFactory, type Server } from '@modelcontextprotocol/server';
import { isRequest, respondsTo } from './jsonrpc.js';
import { observeInPlace, onNextConnect } from './transport-tap.js';

export interface ServerReuseOptions {
  /**
   * Requests with the same key may be served by the same instance, one after another: the key
   * must name everything the factory reads from its context.
   */
  keyOf: (ctx: McpRequestContext) => string;
  /** Idle instances kept for later requests, over all keys; beyond that they are left to the garbage collector. */
  maxIdle?: number;
}

type ServerInstance = Awaited<ReturnType<McpServerFactory>>;

/**
 * Stateless HTTP asks the factory for a new server for every request, and building one (every
 * tool, resource and prompt registered) costs about as much as answering a small call. A
 * 2026-07-28 request carries its caller's version, capabilities and identity itself, so an
 * instance that has answered one request can answer the next one made for the same key as it is.
 *
 * An instance goes back for reuse only when its connection has closed and every request it
 * received was answered: a call cut off or cancelled may still be running its handler, and that
 * handler must never write to the next caller. 2025-era instances keep what `initialize` and
 * `logging/setLevel` told them, so they are never reused.
 */
export function reuseIdleServers(factory: McpServerFactory, { keyOf, maxIdle = 64 }: ServerReuseOptions): McpServerFactory {
  const idle = new Map<string, ServerInstance[]>();
  let idleCount = 0;

  const takeIdle = (key: string): ServerInstance | undefined => {
    const instances = idle.get(key);
    const instance = instances?.pop();
    if (instance === undefined) return undefined;
    if (instances?.length === 0) idle.delete(key);
    idleCount--;
    return instance;
  };

  const putBack = (key: string, instance: ServerInstance): void => {
    if (idleCount >= maxIdle) return;
    forgetClient(protocolOf(instance));
    const instances = idle.get(key) ?? [];
    instances.push(instance);
    idle.set(key, instances);
    idleCount++;
  };

  return async (ctx) => {
    if (ctx.era !== 'modern') return factory(ctx);
    const key = keyOf(ctx);
    const instance = takeIdle(key) ?? (await factory(ctx));
    onConnectionAnswered(instance, () => putBack(key, instance));
    return instance;
  };
}

/**
 * Calls `onAnswered` when the instance's next connection closes, if that connection received at
 * least one request and sent a response to each.
 */
function onConnectionAnswered(instance: ServerInstance, onAnswered: () => void): void {
  const unanswered = new Set<unknown>();
  let received = 0;
  onNextConnect(instance, (transport) =>
    observeInPlace(transport, {
      inbound: (message) => {
        if (!isRequest(message)) return;
        received++;
        unanswered.add(message.id);
      },
      outbound: (message) => {
        const id = respondsTo(message);
        if (id !== undefined) unanswered.delete(id);
      },
    }),
  );
  // The SDK swaps in its own close handler while it serves an exchange and calls this one after it.
  const protocol = protocolOf(instance);
  protocol.onclose = () => {
    protocol.onclose = undefined;
    if (received > 0 && unanswered.size === 0) onAnswered();
  };
}

function protocolOf(instance: ServerInstance): Server {
  return instance instanceof McpServer ? instance.server : instance;
}

/**
 * The SDK copies the client named in a request's `_meta` onto the instance (what
 * `getClientVersion()` and `getClientCapabilities()` answer) and keeps the previous value when a
 * request names none. A reused instance forgets it, so it knows no more about its next caller
 * than a new one would. test/lib/server-reuse.test.ts fails if the SDK renames these fields.
 */
function forgetClient(server: Server): void {
  const identity = server as unknown as { _clientVersion?: unknown; _clientCapabilities?: unknown };
  identity._clientVersion = undefined;
  identity._clientCapabilities = undefined;
}
