/**
 * Who owns each file of a generated repo. `managed` files are the generator's: `check` reports an
 * edit as drift and `update` merges newer templates into them. `user` files are written once as a
 * starting point and never checked or touched again: the lists a user extends (tools, resources,
 * prompts), their services and settings, the example domain (notes, example tools, prompts) and
 * its tests. Everything a user does day to day happens in these files.
 */
export type Owner = 'managed' | 'user';

/** Paths, or folders ending in `/`, of the files a user owns. The one source for manifests and the README. */
export const USER_OWNED: readonly string[] = [
  'README.md',
  // The extension points: what a user edits to add a tool, a resource, a prompt, a service or a setting.
  'src/tools/index.ts',
  'src/resources/index.ts',
  'src/prompts/index.ts',
  'src/app-services.ts',
  'src/settings.ts',
  // The example domain: a starting point to change or delete.
  'src/notes/',
  'src/tools/append-note.ts',
  'src/tools/search-notes.ts',
  'src/tools/watch-note.ts',
  'src/tools/query-database.ts',
  'src/resources/notes.ts',
  'src/resources/db-schema.ts',
  'src/prompts/review-note.ts',
  'src/db/seed.ts',
  'test/notes/',
  'test/tools/append-note.test.ts',
  'test/tools/search-notes.test.ts',
  'test/tools/watch-note.test.ts',
  'test/tools/query-database.test.ts',
  'test/resources/db-schema.test.ts',
  'test/resources.test.ts',
  'test/prompts.test.ts',
];

export function ownerOf(file: string, userOwned: readonly string[] = USER_OWNED): Owner {
  return userOwned.some((entry) => (entry.endsWith('/') ? file.startsWith(entry) : file === entry)) ? 'user' : 'managed';
}
