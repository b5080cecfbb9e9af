import type { McpServer } from '@modelcontextprotocol/server';
import type { Services } from '../services.js';
import { registerDatabaseSchema } from './db-schema.js';
import { registerNoteResources } from './notes.js';
// create-mcp-prod add-resource: imports above this line

/**
 * Every resource the server offers besides the tool documentation: add yours here (see README,
 * "Your code"). This file is yours: create-mcp-prod never checks or changes it, except that
 * `add-resource` inserts at the two marked lines.
 */
export function registerResources(server: McpServer, services: Services): void {
  registerNoteResources(server, services.notes, services.config.maxResultChars);
  registerDatabaseSchema(server, services.db);
  // create-mcp-prod add-resource: registrations above this line
}
