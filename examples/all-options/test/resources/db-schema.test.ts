import { describe, expect, it } from 'vitest';
import { useDatabaseServer } from '../helpers/database.js';

const server = useDatabaseServer();

function json(contents: readonly object[]): unknown {
  const [first] = contents;
  if (!first || !('text' in first)) throw new Error('expected a text resource');
  return JSON.parse(String(first.text));
}

describe('database schema resources', () => {
  it('lists the tables at db://main/tables, linking each to its schema by name', async () => {
    const { contents } = await server.client.readResource({ uri: 'db://main/tables' });
    expect(contents[0]?.mimeType).toBe('application/json');
    expect(json(contents)).toEqual([
      { name: 'orders', type: 'table', schema: 'db://main/tables/orders/schema' },
      { name: 'products', type: 'table', schema: 'db://main/tables/products/schema' },
    ]);
  });

  it('lists every table schema as a resource with a mimeType', async () => {
    const { resources } = await server.client.listResources();
    const schemas = resources.filter((resource) => resource.uri.startsWith('db://main/tables/'));
    expect(schemas.map((resource) => [resource.uri, resource.mimeType])).toEqual([
      ['db://main/tables/orders/schema', 'application/json'],
      ['db://main/tables/products/schema', 'application/json'],
    ]);
  });

  it('describes a table’s columns at db://main/tables/{table}/schema', async () => {
    const { contents } = await server.client.readResource({ uri: 'db://main/tables/products/schema' });
    expect(json(contents)).toEqual({
      table: 'products',
      columns: [
        { name: 'sku', type: 'text', nullable: false, default: null },
        { name: 'name', type: 'text', nullable: false, default: null },
        { name: 'category', type: 'text', nullable: false, default: null },
        { name: 'price_cents', type: 'integer', nullable: false, default: null },
      ],
    });
  });

  it('answers an unknown table with an error', async () => {
    await expect(server.client.readResource({ uri: 'db://main/tables/nope/schema' })).rejects.toThrow();
  });
});
