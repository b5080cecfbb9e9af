import { createMcpHandler, McpServer } from '@modelcontextprotocol/server';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { withCachedJsonSchema } from '../../src/lib/json-schema-cache.js';
import { tools } from '../../src/tools/index.js';
import { dataResult } from '../../src/tools/tool.js';

/** Counts how often the SDK asks `schema` for its JSON Schema (set up before the cache wraps it). */
function countConversions(schema: z.ZodType): { input: number; output: number } {
  const counts = { input: 0, output: 0 };
  const standard = schema['~standard'];
  schema['~standard'] = {
    ...standard,
    jsonSchema: {
      input: (options) => (counts.input++, standard.jsonSchema.input(options)),
      output: (options) => (counts.output++, standard.jsonSchema.output(options)),
    },
  };
  return counts;
}

/** A stateless 2026-07-28 `tools/call`, as an HTTP client sends it. */
function toolCall(id: number): Request {
  return new Request('http://127.0.0.1/mcp', {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2026-07-28',
      'mcp-method': 'tools/call',
      'mcp-name': 'echo',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id,
      method: 'tools/call',
      params: {
        name: 'echo',
        arguments: { text: `call ${id}` },
        _meta: {
          'io.modelcontextprotocol/protocolVersion': '2026-07-28',
          'io.modelcontextprotocol/clientInfo': { name: 'test', version: '1.0.0' },
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    }),
  });
}

describe('withCachedJsonSchema', () => {
  it('converts a tool schema once per process, although stateless HTTP builds a server per request', async () => {
    const input = z.object({ text: z.string() });
    const output = z.object({ echoed: z.string() });
    const inputCount = countConversions(input);
    const outputCount = countConversions(output);
    withCachedJsonSchema(input);
    withCachedJsonSchema(output);
    const handler = createMcpHandler(() => {
      const server = new McpServer({ name: 'test', version: '1.0.0' });
      server.registerTool('echo', { inputSchema: input, outputSchema: output }, ({ text }) => Promise.resolve(dataResult({ echoed: text })));
      return server;
    });

    for (const id of [1, 2, 3]) {
      const response = await handler.fetch(toolCall(id));
      expect(response.status).toBe(200);
      expect(JSON.stringify(await response.json())).toContain(`"echoed":"call ${id}"`);
    }
    await handler.close();
    // Without the cache: one conversion of each per request (three of each).
    expect(inputCount).toEqual({ input: 1, output: 0 });
    expect(outputCount).toEqual({ input: 0, output: 1 });
  });

  it('answers what zod converts, per target, and no caller can change the shared answer', () => {
    const schema = withCachedJsonSchema(z.object({ note: z.string().regex(/^[a-z]+$/), tags: z.array(z.string()).optional() }));
    const { jsonSchema } = schema['~standard'];
    const draft2020 = jsonSchema.input({ target: 'draft-2020-12' });
    expect(draft2020).toEqual(z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }));
    expect(jsonSchema.input({ target: 'draft-07' })).toEqual(z.toJSONSchema(schema, { target: 'draft-07', io: 'input' }));
    expect(jsonSchema.output({ target: 'draft-2020-12' })).toEqual(z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output' }));
    expect(jsonSchema.input({ target: 'draft-2020-12' })).toBe(draft2020);

    const properties = draft2020['properties'] as Record<string, Record<string, unknown>>;
    expect(() => {
      properties['note']!['pattern'] = '.*';
    }).toThrow(TypeError);
    expect(() => {
      draft2020['required'] = [];
    }).toThrow(TypeError);
    expect(jsonSchema.input({ target: 'draft-2020-12' })).toEqual(z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }));
  });

  it('leaves validation as it was', async () => {
    const schema = withCachedJsonSchema(z.object({ count: z.number().int() }));
    expect(schema.safeParse({ count: 2 }).success).toBe(true);
    expect(schema.safeParse({ count: 2.5 }).success).toBe(false);
    expect(await schema['~standard'].validate({ count: 3 })).toEqual({ value: { count: 3 } });
    expect(await schema['~standard'].validate({ count: 'three' })).toHaveProperty('issues');
  });

  it('is applied to every tool by defineTool', () => {
    for (const tool of tools) {
      for (const schema of [tool.inputSchema, ...(tool.outputSchema ? [tool.outputSchema] : [])]) {
        const { jsonSchema } = schema['~standard'];
        expect(jsonSchema.input({ target: 'draft-2020-12' }), tool.name).toBe(jsonSchema.input({ target: 'draft-2020-12' }));
        expect(jsonSchema.output({ target: 'draft-2020-12' }), tool.name).toBe(jsonSchema.output({ target: 'draft-2020-12' }));
      }
    }
  });
});
