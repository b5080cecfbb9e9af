import { describe, expect, it } from 'vitest';
import { useInMemoryServer } from './helpers/client.js';

const server = useInMemoryServer();

describe('review_note prompt', () => {
  it('is listed with its one required argument', async () => {
    const { prompts } = await server.client.listPrompts();
    expect(prompts).toContainEqual(
      expect.objectContaining({
        name: 'review_note',
        description: 'Summarise a note and suggest what to do next',
        arguments: [expect.objectContaining({ name: 'note', required: true })],
      }),
    );
  });

  it('embeds the note as a resource with its semantic URI, then asks for the review', async () => {
    await server.services.notes.append('plan', 'ship it');
    await server.services.notes.append('plan', 'write the docs');
    const { messages } = await server.client.getPrompt({ name: 'review_note', arguments: { note: 'plan' } });
    expect(messages).toEqual([
      {
        role: 'user',
        content: {
          type: 'resource',
          resource: { uri: 'notes://note/plan', mimeType: 'text/markdown', text: '# plan\n\n- ship it\n- write the docs\n' },
        },
      },
      { role: 'user', content: { type: 'text', text: 'Summarise the note above in three bullet points, then suggest the next step.' } },
    ]);
  });

  it('a note that does not exist yet is shown as empty, not an error', async () => {
    const { messages } = await server.client.getPrompt({ name: 'review_note', arguments: { note: 'ghost' } });
    expect(messages[0]?.content).toEqual({
      type: 'resource',
      resource: { uri: 'notes://note/ghost', mimeType: 'text/markdown', text: '# ghost\n\n(empty)\n' },
    });
  });

  // Refused by the prompt's own argument schema (invalid params, naming the argument), before the
  // handler runs: not by an error thrown deeper down.
  it.each(['../secrets', 'a/b', '', ' leading-space', 'x'.repeat(65)])('refuses the note name %j as invalid params', async (note) => {
    const error = await server.client.getPrompt({ name: 'review_note', arguments: { note } }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: -32602, message: expect.stringMatching(/review_note: note\b/) });
  });
});
