import { createHash } from 'node:crypto';
import type { Answers } from '../answers.js';
import { compareStrings } from './overlays.js';

export const MANIFEST_FILE = '.mcp-prod.json';

/** `.mcp-prod.json`: what generated this repo, from which answers, and the hash of every file it wrote. */
export interface Manifest {
  generator: string;
  version: string;
  answers: Answers;
  files: Record<string, string>;
}

export function hashContent(content: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

export function createManifest(
  generator: { name: string; version: string },
  answers: Answers,
  files: ReadonlyMap<string, string | Uint8Array>,
): Manifest {
  const hashes = [...files.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([file, content]) => [file, hashContent(content)] as const);
  return {
    generator: generator.name,
    version: generator.version,
    answers: {
      name: answers.name,
      description: answers.description,
      transports: [...answers.transports],
      db: answers.db,
    },
    files: Object.fromEntries(hashes),
  };
}

export function serializeManifest(manifest: Manifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
