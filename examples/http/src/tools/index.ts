import type { ToolDefinition } from './tool.js';
import { appendNote } from './append-note.js';
import { searchNotes } from './search-notes.js';
import { watchNote } from './watch-note.js';
// create-mcp-prod add-tool: imports above this line

/**
 * Every tool the server offers: add yours here (see README, "Your code"). This file is yours:
 * create-mcp-prod never checks or changes it, except that `add-tool` inserts at the two marked lines.
 */
export const tools: ToolDefinition[] = [
  appendNote,
  searchNotes,
  watchNote,
  // create-mcp-prod add-tool: tools above this line
];
