import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Answers } from '../answers.js';

/** One file of the output: where it comes from, where it goes, and whether Handlebars renders it. */
export interface PlannedFile {
  layer: string;
  /** Absolute path of the template file. */
  source: string;
  /** Its path under the templates folder, POSIX separators: how messages name it. */
  template: string;
  /** Output path relative to the new repo, POSIX separators. */
  target: string;
  render: boolean;
}

/** A JSON fragment of `package.json` contributed by one layer; layers are deep-merged in order. */
export interface PackageFragment {
  layer: string;
  source: string;
  template: string;
  render: boolean;
}

export interface OverlayPlan {
  layers: string[];
  files: PlannedFile[];
  packageFragments: PackageFragment[];
}

export const PACKAGE_JSON = 'package.json';
const TEMPLATE_SUFFIX = '.hbs';

/**
 * The overlay folders under `templates/` for a set of answers, in the order they are applied:
 * deployment files last, so they can describe whatever the layers before them produced.
 */
export function layersFor(answers: Answers): string[] {
  return [
    'base',
    ...answers.transports,
    ...(answers.db === 'postgres' ? ['db-postgres'] : []),
    'deploy',
    ...(answers.transports.includes('http') ? ['deploy-http'] : []),
  ];
}

/**
 * npm drops `.gitignore` from published packages (and a dotfile is easy to miss in a template tree),
 * so these templates are stored under another name and renamed on output. Only the names listed here are renamed, at any
 * depth; every other path segment, `_`-prefixed or not (`__fixtures__`, `_shared.ts`), is kept as is.
 */
export const RENAMED_TEMPLATE_SEGMENTS: ReadonlyMap<string, string> = new Map([
  ['_gitignore', '.gitignore'],
  ['_dockerignore', '.dockerignore'],
  ['_github', '.github'],
]);

/** A `.hbs` suffix marks a file that Handlebars renders; every other file is copied byte for byte. */
export function outputPathFor(templatePath: string): { target: string; render: boolean } {
  const segments = templatePath.split(/[\\/]/).map((segment) => RENAMED_TEMPLATE_SEGMENTS.get(segment) ?? segment);
  const joined = segments.join('/');
  const render = joined.endsWith(TEMPLATE_SUFFIX);
  return { target: render ? joined.slice(0, -TEMPLATE_SUFFIX.length) : joined, render };
}

/** Later layers replace earlier layers' files at the same output path; `package.json` files merge instead. */
export async function planOverlays(templatesRoot: string, layers: readonly string[]): Promise<OverlayPlan> {
  const byTarget = new Map<string, PlannedFile>();
  const packageFragments: PackageFragment[] = [];
  for (const layer of layers) {
    const layerDir = path.join(templatesRoot, layer);
    for (const relative of listFiles(layerDir)) {
      const { target, render } = outputPathFor(relative);
      const source = path.join(layerDir, relative);
      const template = [layer, ...relative.split(path.sep)].join('/');
      if (target === PACKAGE_JSON) packageFragments.push({ layer, source, template, render });
      else byTarget.set(target, { layer, source, template, target, render });
    }
  }
  const files = [...byTarget.values()].sort((a, b) => compareStrings(a.target, b.target));
  return { layers: [...layers], files, packageFragments };
}

/** Synchronous, like the rest of the render: cheaper than promises for a few dozen folders. */
function listFiles(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`missing template layer ${dir}`);
    throw error;
  }
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(dir, path.join(entry.parentPath, entry.name)))
    .sort(compareStrings);
}

/** Locale-independent ordering, so output and manifests are byte-identical on every machine. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
