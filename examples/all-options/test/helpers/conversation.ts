import { expect } from 'vitest';

/** What both SDKs' clients have in common, for the tests that run one conversation with each. */
export interface AnyClient {
  listTools(): Promise<{ tools: { name: string }[] }>;
  callTool(params: { name: string; arguments: Record<string, unknown> }): Promise<unknown>;
  close(): Promise<void>;
}

interface DataResult {
  isError?: boolean;
  content: { type: string; text: string }[];
  structuredContent?: unknown;
}

/** The same conversation for every client: list the tools, write a line to `note`, find it again. */
export async function converse(client: AnyClient, note: string): Promise<void> {
  const { tools } = await client.listTools();
  expect(tools.map((tool) => tool.name)).toEqual(expect.arrayContaining(['append_note', 'search_notes', 'watch_note']));

  const text = `hello from ${note}`;
  // Both SDKs' clients check structuredContent against the tool's outputSchema from tools/list.
  const appended = (await client.callTool({ name: 'append_note', arguments: { note, text } })) as DataResult;
  expect(appended.isError).toBeFalsy();
  expect(appended.structuredContent).toEqual({ uri: `notes://note/${note}`, line: 1 });
  expect(JSON.parse(appended.content[0]?.text ?? '')).toEqual(appended.structuredContent);

  const found = (await client.callTool({ name: 'search_notes', arguments: { query: text.toUpperCase() } })) as DataResult;
  expect(found.isError).toBeFalsy();
  expect(found.structuredContent).toMatchObject({ matches: [{ note, line: 1, text }] });
  expect(JSON.parse(found.content[0]?.text ?? '')).toEqual(found.structuredContent);
}
