import { createHash } from 'node:crypto';
import { QUESTION_FLAGS, expectString, expectStringList, parseLayer, type Answers } from '../answers.js';
import { isCliError } from '../errors.js';
import { isVersion } from '../lifecycle/versions.js';
import { compareStrings } from './overlays.js';
import { ownerOf, type Owner } from './ownership.js';

export const MANIFEST_FILE = '.mcp-prod.json';

/** One generated file: who owns it and the hash of what the generator wrote. */
export interface ManifestEntry {
  owner: Owner;
  hash: string;
  /** A managed file the user deleted: `update` keeps it deleted and `check` stops asking for it. */
  deleted?: true;
}

/** `.mcp-prod.json`: what generated this repo, from which answers, and every file it wrote with its owner and hash. */
export interface Manifest {
  generator: string;
  version: string;
  answers: Answers;
  files: Record<string, ManifestEntry>;
  /**
   * Top-level keys this version does not know: a user's, or a newer version's (read by an older
   * add-*). Written back as they were, so rewriting the manifest never drops them.
   */
  otherKeys?: Record<string, unknown>;
}

export function hashContent(content: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(content).digest('hex')}`;
}

export function createManifest(
  generator: { name: string; version: string },
  answers: Answers,
  files: ReadonlyMap<string, string | Uint8Array>,
  owner: (file: string) => Owner = ownerOf,
): Manifest {
  const entries = [...files.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([file, content]): [string, ManifestEntry] => [file, { owner: owner(file), hash: hashContent(content) }]);
  return {
    generator: generator.name,
    version: generator.version,
    answers: {
      name: answers.name,
      description: answers.description,
      transports: [...answers.transports],
      db: answers.db,
    },
    files: Object.fromEntries(entries),
  };
}

export function serializeManifest({ otherKeys, ...manifest }: Manifest): string {
  const files = Object.fromEntries(Object.entries(manifest.files).sort(([a], [b]) => compareStrings(a, b)));
  return `${JSON.stringify({ ...manifest, ...otherKeys, files }, null, 2)}\n`;
}

/** The top-level keys this version reads; any other is kept in `otherKeys`. */
const MANIFEST_KEYS = ['generator', 'version', 'answers', 'files'];

export class ManifestError extends Error {
  override name = 'ManifestError';
}

/**
 * Parses `.mcp-prod.json`. Manifests of 0.1.0 recorded a bare hash per file; those files get
 * their owner from today's rules.
 */
export function parseManifest(text: string): Manifest {
  let raw: unknown;
  try {
    // Some editors save with a UTF-8 byte order mark, which JSON.parse refuses (the --answers reader drops it too).
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ManifestError(`${MANIFEST_FILE} is not valid JSON (${(error as Error).message})`);
  }
  if (!isRecord(raw) || typeof raw.version !== 'string' || !isRecord(raw.answers) || !isRecord(raw.files)) {
    throw new ManifestError(`${MANIFEST_FILE} lacks version, answers or files`);
  }
  // The version names a package to install and run, and a folder of the package cache.
  if (!isVersion(raw.version)) throw new ManifestError(`${MANIFEST_FILE} "version" must be a create-mcp-prod version like 1.2.3, not ${JSON.stringify(raw.version.slice(0, 80))}`);
  const files: Record<string, ManifestEntry> = {};
  for (const [file, value] of Object.entries(raw.files)) {
    if (typeof value === 'string') files[file] = { owner: ownerOf(file), hash: value };
    else if (isRecord(value) && (value.owner === 'managed' || value.owner === 'user') && typeof value.hash === 'string') {
      files[file] = { owner: value.owner, hash: value.hash, ...(value.deleted === true && { deleted: true as const }) };
    } else throw new ManifestError(`${MANIFEST_FILE}: bad entry for ${file}`);
  }
  const otherKeys = Object.fromEntries(Object.entries(raw).filter(([key]) => !MANIFEST_KEYS.includes(key)));
  return {
    generator: typeof raw.generator === 'string' ? raw.generator : 'create-mcp-prod',
    version: raw.version,
    answers: parseRecordedAnswers(raw.answers),
    files,
    ...(Object.keys(otherKeys).length > 0 && { otherKeys }),
  };
}

/**
 * The recorded answers, held to the rules create applies: a hand-edited manifest is refused here,
 * in one line naming the field, instead of failing deep inside a render.
 */
function parseRecordedAnswers(raw: Record<string, unknown>): Answers {
  const where = `${MANIFEST_FILE} answers`;
  const missing = (Object.keys(QUESTION_FLAGS) as (keyof Answers)[]).find((key) => raw[key] === undefined);
  if (missing !== undefined) throw new ManifestError(`${where} lack "${missing}"`);
  try {
    const typed = {
      name: expectString(raw.name, 'name', where),
      description: expectString(raw.description, 'description', where),
      transports: expectStringList(raw.transports, 'transports', where),
      db: expectString(raw.db, 'db', where),
    };
    return parseLayer('file', typed, where).values as Answers;
  } catch (error) {
    if (isCliError(error)) throw new ManifestError(error.message);
    throw error;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
