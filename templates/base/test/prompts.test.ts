import type { Client } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connectInMemory } from './helpers/client.js';
import { createTestServices, type TestServices } from './helpers/services.js';

let services: TestServices;
let client: Client;

beforeEach(async () => {
  services = await createTestServices();
  client = await connectInMemory(services);
});

afterEach(async () => {
  await client.close();
  await services.cleanup();
});

describe('review_note prompt', () => {
  it('is listed with its argument', async () => {
    const { prompts } = await client.listPrompts();
    expect(prompts).toEqual([expect.objectContaining({ name: 'review_note', arguments: [expect.objectContaining({ name: 'note' })] })]);
  });

  it('embeds the note as a resource with its semantic URI', async () => {
    await services.notes.append('plan', 'ship it');
    const { messages } = await client.getPrompt({ name: 'review_note', arguments: { note: 'plan' } });
    expect(messages[0]?.content).toEqual({
      type: 'resource',
      resource: { uri: 'notes://note/plan', mimeType: 'text/markdown', text: '# plan\n\n- ship it\n' },
    });
    expect(messages[1]?.content).toMatchObject({ type: 'text' });
  });
});
