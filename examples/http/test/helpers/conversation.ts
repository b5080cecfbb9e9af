import { expect } from 'vitest';

/** What both SDKs' clients have in common, for the tests that run one conversation with each. */
export interface AnyClient {
  listTools(): Promise<{ tools: { name: string }[] }>;
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}

interface TextResult {
  isError?: boolean;
  content: { type: string; text: string }[];
}

/** The same conversation for every client: list the tools, write a line to `note`, find it again. */
export async function converse(client: AnyClient, note: string): Promise<void> {
  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['append_note', 'search_notes', 'watch_note']));

  const text = `hello from ${note}`;
  const appended = (await client.callTool({ name: 'append_note', arguments: { note, text } })) as TextResult;
  expect(appended.isError).toBeFalsy();
  expect(appended.content[0]?.text).toBe(`Appended line 1 to notes://note/${note}`);

  const found = (await client.callTool({ name: 'search_notes', arguments: { query: text.toUpperCase() } })) as TextResult;
  expect(found.isError).toBeFalsy();
  expect(JSON.parse(found.content[0]?.text ?? '')).toMatchObject([{ note, line: 1, text }]);
}
