import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Answers } from '../answers.js';
import { handlebarsFor, renderTemplate } from '../render/handlebars.js';
import { templateData } from '../render/data.js';
import { loadPrecompiled, type PrecompiledTemplates } from '../render/precompiled.js';
import { MANIFEST_FILE, createManifest, serializeManifest } from '../render/manifest.js';
import { ownerOf } from '../render/ownership.js';
import { PACKAGE_JSON, layersFor, planOverlays, type OverlayPlan } from '../render/overlays.js';
import { formatJson, mergePackageJson, parsePackageFragment } from '../render/package-json.js';
import { generatorPackage, templatesDir } from '../version.js';

export type RenderedFiles = Map<string, string | Buffer>;

export interface RenderOptions {
  answers: Answers;
  /** Where to write; omit to render in memory only (`--dry-run`, `check`). */
  destDir?: string;
  templatesRoot?: string;
}

/**
 * Renders the overlays for `answers` with our own Handlebars instance (see render/handlebars.ts)
 * in a plain loop, then writes every file and `.mcp-prod.json` last. Nothing is written unless
 * every template rendered. Returns every file's content, keyed by its POSIX path in the new repo.
 */
export async function renderRepo({ answers, destDir, templatesRoot = fileURLToPath(templatesDir) }: RenderOptions): Promise<RenderedFiles> {
  const generator = generatorPackage();
  const plan = await planOverlays(templatesRoot, layersFor(answers));
  // The generated README lists the user's files from the same rules the manifest records.
  const data = { ...templateData(answers, generator.version), userFiles: ownedByUser(plan) };
  const precompiled = await loadPrecompiled();
  // Every source is read before anything renders: the templates among them decide whether the
  // Handlebars compiler has to load (see handlebarsFor).
  const sources = plan.files.map((file) => ({ ...file, content: readFileSync(file.source) }));
  const fragments = plan.packageFragments.map((fragment) => ({ ...fragment, content: readFileSync(fragment.source) }));
  const hb = await handlebarsFor(
    [...sources, ...fragments].filter((source) => source.render).map((source) => source.content.toString('utf8')),
    precompiled,
  );
  const textOf = ({ template, content, render }: { template: string; content: Buffer; render: boolean }): string =>
    render ? renderTemplate(hb, content.toString('utf8'), data, template, precompiled) : content.toString('utf8');

  const files: RenderedFiles = new Map(sources.map((source) => [source.target, source.render ? textOf(source) : source.content]));
  const packageJson = mergePackageJson(fragments.map((fragment) => parsePackageFragment(textOf(fragment), fragment.template)));
  files.set(PACKAGE_JSON, formatJson(packageJson));

  const manifest = serializeManifest(createManifest(generator, answers, files));
  if (destDir !== undefined) {
    writeFiles(destDir, files);
    writeFiles(destDir, new Map([[MANIFEST_FILE, manifest]]));
  }
  files.set(MANIFEST_FILE, manifest);
  return files;
}

/**
 * Creates each folder once, then writes the files. Synchronous on purpose: a hundred small files
 * cost far less CPU through plain system calls than through promise-based file handles.
 */
function writeFiles(destDir: string, files: ReadonlyMap<string, string | Buffer>): void {
  const made = new Set<string>();
  for (const [target, content] of files) {
    const file = path.join(destDir, ...target.split('/'));
    const dir = path.dirname(file);
    if (!made.has(dir)) mkdirSync(dir, { recursive: true });
    made.add(dir);
    writeFileSync(file, content);
  }
}

function ownedByUser(plan: OverlayPlan): string[] {
  return plan.files.map((file) => file.target).filter((target) => ownerOf(target) === 'user');
}
