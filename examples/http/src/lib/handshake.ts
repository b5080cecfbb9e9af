import {
  CLIENT_INFO_META_KEY,
  PROTOCOL_VERSION_META_KEY,
  ProtocolErrorCode,
  type JSONRPCMessage,
  type McpServerFactory,
  type RequestId,
} from '@modelcontextprotocol/server';
import { isRequest, respondsTo } from './jsonrpc.js';
import type { Logger } from './logger.js';
import { tapServerFactory, type MessageTap } from './transport-tap.js';

/** One client's protocol handshake, as the server saw it, so no version mismatch goes unnoticed. */
export interface Handshake {
  /** `legacy`: the 2025-era `initialize` handshake; `modern`: the 2026-07-28 per-request `_meta` envelope. */
  era: 'legacy' | 'modern';
  client: { name: string; version: string };
  requestedVersion: string;
  /** The version the server answered with; undefined when it refused the request. */
  servedVersion: string | undefined;
  /** False when the client did not get the version it asked for. */
  supported: boolean;
}

export type HandshakeListener = (handshake: Handshake) => void;

interface Pending {
  era: Handshake['era'];
  client: Handshake['client'];
  requestedVersion: string;
}

/** Enough distinct clients for any real deployment; past it, the memory is simply started afresh. */
const MAX_REMEMBERED_CLIENTS = 1_000;

/**
 * Logs each handshake once per distinct client and version: 2025-era clients on `initialize`
 * (with the version the server answered), 2026-07-28 clients from the envelope of their first
 * request. A version the server did not grant is a warning. Every handshake reaches the
 * listeners (metrics count them all, deduplicated or not).
 */
export class HandshakeLog {
  private readonly logged = new Set<string>();
  private readonly listeners: HandshakeListener[] = [];

  constructor(private readonly logger: Logger) {}

  /** Metrics subscribe here; they see every handshake, logged or not. */
  listen(listener: HandshakeListener): void {
    this.listeners.push(listener);
  }

  /** A tap for one connection (stdio) or one HTTP request: request ids are only unique within it. */
  tap(): MessageTap {
    const pending = new Map<RequestId, Pending>();
    return {
      inbound: (message) => {
        const opening = readOpening(message);
        if (opening && isRequest(message)) pending.set(message.id, opening);
      },
      outbound: (message) => {
        const id = respondsTo(message);
        const opening = id === undefined ? undefined : pending.get(id);
        if (id === undefined || opening === undefined) return;
        pending.delete(id);
        const handshake = settle(opening, message);
        if (handshake) this.record(handshake);
      },
    };
  }

  /** The server factory with each server's handshake seen on its own transport (HTTP: one server per request). */
  observe(factory: McpServerFactory): McpServerFactory {
    return tapServerFactory(factory, () => this.tap());
  }

  record(handshake: Handshake): void {
    for (const listener of this.listeners) listener(handshake);
    const key = JSON.stringify([handshake.era, handshake.client, handshake.requestedVersion, handshake.servedVersion]);
    if (handshake.era === 'modern' && this.logged.has(key)) return;
    if (this.logged.size >= MAX_REMEMBERED_CLIENTS) this.logged.clear();
    this.logged.add(key);

    const fields = {
      handshake: {
        era: handshake.era,
        clientName: handshake.client.name,
        clientVersion: handshake.client.version,
        requestedProtocolVersion: handshake.requestedVersion,
        servedProtocolVersion: handshake.servedVersion ?? null,
      },
    };
    if (handshake.supported) {
      this.logger.info(fields, 'client handshake');
    } else {
      this.logger.warn(
        fields,
        handshake.servedVersion === undefined
          ? `client requested unsupported protocol version ${handshake.requestedVersion}; request refused`
          : `client requested protocol version ${handshake.requestedVersion}; server offered ${handshake.servedVersion} instead`,
      );
    }
  }
}

/** The message that opens a handshake: `initialize` (2025) or any request carrying the 2026 envelope. */
function readOpening(message: JSONRPCMessage): Pending | undefined {
  if (!isRequest(message)) return undefined;
  const params = (message.params ?? {}) as Record<string, unknown>;
  if (message.method === 'initialize') {
    return {
      era: 'legacy',
      client: readClient(params.clientInfo),
      requestedVersion: versionText(params.protocolVersion),
    };
  }
  const meta = params._meta as Record<string, unknown> | undefined;
  const version = meta?.[PROTOCOL_VERSION_META_KEY];
  if (version === undefined) return undefined;
  return { era: 'modern', client: readClient(meta?.[CLIENT_INFO_META_KEY]), requestedVersion: versionText(version) };
}

/** A 2026-07-28 request: it names its protocol version in its `_meta` envelope. */
export function opensModernHandshake(message: JSONRPCMessage): boolean {
  return readOpening(message)?.era === 'modern';
}

/** The outcome of a handshake, or undefined when the request failed for a reason other than its version. */
function settle(opening: Pending, response: JSONRPCMessage): Handshake | undefined {
  if ('error' in response) {
    const refused = opening.era === 'legacy' || response.error.code === ProtocolErrorCode.UnsupportedProtocolVersion;
    return refused ? { ...opening, servedVersion: undefined, supported: false } : undefined;
  }
  const result = ('result' in response ? response.result : {}) as Record<string, unknown>;
  const served = opening.era === 'legacy' ? versionText(result.protocolVersion) : opening.requestedVersion;
  return { ...opening, servedVersion: served, supported: served === opening.requestedVersion };
}

/** A version as sent, for the log; anything but a string (a client mistake the SDK refuses) is 'unknown'. */
function versionText(value: unknown): string {
  return typeof value === 'string' ? value : 'unknown';
}

function readClient(value: unknown): Handshake['client'] {
  const info = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  return {
    name: typeof info.name === 'string' ? info.name : 'unknown',
    version: typeof info.version === 'string' ? info.version : 'unknown',
  };
}
