import { Client } from '@modelcontextprotocol/client';
import { InMemoryTransport, type CallToolResult } from '@modelcontextprotocol/server';
import { afterEach, beforeEach } from 'vitest';
import { createServerFactory } from '../../src/server.js';
import type { Services } from '../../src/services.js';
import { createTestServices, type TestServices } from './services.js';

/** A real MCP client talking to a real server instance, in process: fast tests of tools and resources. */
export async function connectInMemory(services: Services): Promise<Client> {
  const server = await createServerFactory(services)({ era: 'legacy' });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  await client.connect(clientSide);
  return client;
}

/** The text of a tool result's first content block. */
export function textOf(result: unknown): string {
  const block = (result as CallToolResult).content[0];
  if (block?.type !== 'text') throw new Error(`expected a text result, got ${JSON.stringify(result)}`);
  return block.text;
}

/**
 * The structured content of a data result, after checking that its text block carries the same
 * data (clients that read only text must see what structured clients see).
 */
export function dataOf<T = Record<string, unknown>>(result: unknown): T {
  const { structuredContent, isError } = result as CallToolResult;
  if (isError || structuredContent === undefined) throw new Error(`expected a data result, got ${JSON.stringify(result)}`);
  const fromText: unknown = JSON.parse(textOf(result));
  if (JSON.stringify(fromText) !== JSON.stringify(structuredContent)) {
    throw new Error(`text and structuredContent differ:\n${textOf(result)}\n${JSON.stringify(structuredContent)}`);
  }
  return structuredContent as T;
}

export interface InMemoryServer {
  readonly services: TestServices;
  readonly client: Client;
}

/** For each test: fresh services over a temporary folder and a connected client; both cleaned up after. */
export function useInMemoryServer(env: Record<string, string> = {}): InMemoryServer {
  const current = {} as { services: TestServices; client: Client };
  beforeEach(async () => {
    current.services = await createTestServices(env);
    current.client = await connectInMemory(current.services);
  });
  afterEach(async () => {
    await current.client.close();
    await current.services.cleanup();
  });
  return current;
}
