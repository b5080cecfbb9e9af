import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Templates compiled at build time (`scripts/build.mjs` writes `dist/precompiled-templates.js`),
 * keyed by a hash of the compile options and the template text. Compiling Handlebars is most of a
 * generation's CPU time; looking a template up by its text means an edited or unknown template
 * (a test fixture, a template changed after the build) is simply compiled as before.
 */
export type PrecompiledTemplates = ReadonlyMap<string, object>;

export const PRECOMPILED_FILE = 'precompiled-templates.js';

/** The options every template is compiled with: code, not HTML; a missing variable is an error. */
/** Frozen: Handlebars writes its defaults into the options object it is given, so it gets a copy. */
export const COMPILE_OPTIONS = Object.freeze({ noEscape: true, strict: true });

export function templateKey(source: string): string {
  return createHash('sha256').update(JSON.stringify(COMPILE_OPTIONS)).update('\0').update(source).digest('hex');
}

/** The build's precompiled templates beside the running bundle, or none when running from source. */
export async function loadPrecompiled(from: URL = new URL(`./${PRECOMPILED_FILE}`, import.meta.url)): Promise<PrecompiledTemplates> {
  try {
    // A CommonJS file (see scripts/build.mjs): require() skips the ES module loader's work.
    return createRequire(from)(fileURLToPath(from)) as PrecompiledTemplates;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return new Map();
    throw error;
  }
}
