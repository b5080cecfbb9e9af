import { describe, expect, it } from 'vitest';
import { useInMemoryServer } from './helpers/client.js';

const server = useInMemoryServer();

describe('review_note prompt', () => {
  it('is listed with its argument', async () => {
    const { prompts } = await server.client.listPrompts();
    expect(prompts).toContainEqual(expect.objectContaining({ name: 'review_note', arguments: [expect.objectContaining({ name: 'note' })] }));
  });

  it('embeds the note as a resource with its semantic URI', async () => {
    await server.services.notes.append('plan', 'ship it');
    const { messages } = await server.client.getPrompt({ name: 'review_note', arguments: { note: 'plan' } });
    expect(messages[0]?.content).toEqual({
      type: 'resource',
      resource: { uri: 'notes://note/plan', mimeType: 'text/markdown', text: '# plan\n\n- ship it\n' },
    });
    expect(messages[1]?.content).toMatchObject({ type: 'text' });
  });
});
