import type { ToolDefinition } from './tool.js';
import { appendNote } from './append-note.js';
import { searchNotes } from './search-notes.js';
import { watchNote } from './watch-note.js';

/** Every tool the server offers. `create-mcp-prod add-tool <name>` adds new ones to this list. */
export const tools: ToolDefinition[] = [
  appendNote,
  searchNotes,
  watchNote,
  // create-mcp-prod: tools
];
