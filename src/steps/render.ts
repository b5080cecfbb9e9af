import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ActionConfig } from 'node-plop';
import type { Answers } from '../answers.js';
import { createHandlebars, renderTemplate } from '../render/handlebars.js';
import { templateData } from '../render/data.js';
import { MANIFEST_FILE, createManifest, serializeManifest } from '../render/manifest.js';
import { ownerOf } from '../render/ownership.js';
import { PACKAGE_JSON, layersFor, planOverlays, type OverlayPlan } from '../render/overlays.js';
import { formatJson, mergePackageJson, parsePackageFragment } from '../render/package-json.js';
import { generatorPackage, templatesDir } from '../version.js';

/** plop shows `path` in its change log; `index` points into the overlay plan. */
interface RenderAction extends ActionConfig {
  path: string;
  index?: number;
}

export type RenderedFiles = Map<string, string | Buffer>;

export interface RenderOptions {
  answers: Answers;
  /** Where to write; omit to render in memory only (`--dry-run`, `check`). */
  destDir?: string;
  templatesRoot?: string;
}

/**
 * Renders the overlays for `answers` through a node-plop generator whose actions use our own
 * Handlebars instance (see render/handlebars.ts), and writes `.mcp-prod.json` last.
 * Returns every file's content, keyed by its POSIX path in the new repo.
 */
export async function renderRepo({ answers, destDir, templatesRoot = fileURLToPath(templatesDir) }: RenderOptions): Promise<RenderedFiles> {
  const generator = generatorPackage();
  const plan = await planOverlays(templatesRoot, layersFor(answers));
  // The generated README lists the user's files from the same rules the manifest records.
  const data = { ...templateData(answers, generator.version), userFiles: ownedByUser(plan) };
  const hb = createHandlebars();
  const files: RenderedFiles = new Map();

  const emit = async (target: string, content: string | Buffer): Promise<string> => {
    files.set(target, content);
    if (destDir !== undefined) {
      const file = path.join(destDir, ...target.split('/'));
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
    }
    return target;
  };

  const { default: nodePlop } = await import('node-plop');
  const plop = await nodePlop(undefined, { destBasePath: destDir, force: false });
  plop.setActionType('render-file', async (_answers, config) => {
    const file = plan.files[config.index as number];
    if (file === undefined) throw new Error(`no planned file #${String(config.index)}`);
    const raw = await readFile(file.source);
    return emit(file.target, file.render ? renderTemplate(hb, raw.toString('utf8'), data, relativeSource(templatesRoot, file.source)) : raw);
  });
  plop.setActionType('render-package-json', async () => emit(PACKAGE_JSON, await renderPackageJson(plan, hb, data, templatesRoot)));
  plop.setGenerator('create', {
    description: 'a new MCP server repository',
    prompts: [],
    actions: [
      ...plan.files.map((file, index): RenderAction => ({ type: 'render-file', path: file.target, index })),
      { type: 'render-package-json', path: PACKAGE_JSON } satisfies RenderAction,
    ],
  });

  const { failures } = await plop.getGenerator('create').runActions(data);
  if (failures.length > 0) {
    const first = failures[0];
    throw new Error(first?.error ?? 'rendering failed');
  }

  const manifest = createManifest(generator, answers, files);
  await emit(MANIFEST_FILE, serializeManifest(manifest));
  return files;
}

async function renderPackageJson(
  plan: OverlayPlan,
  hb: ReturnType<typeof createHandlebars>,
  data: Record<string, unknown>,
  templatesRoot: string,
): Promise<string> {
  const fragments = await Promise.all(
    plan.packageFragments.map(async (fragment) => {
      const name = relativeSource(templatesRoot, fragment.source);
      const text = await readFile(fragment.source, 'utf8');
      return parsePackageFragment(fragment.render ? renderTemplate(hb, text, data, name) : text, name);
    }),
  );
  return formatJson(mergePackageJson(fragments));
}

function relativeSource(templatesRoot: string, source: string): string {
  return path.relative(templatesRoot, source).split(path.sep).join('/');
}

function ownedByUser(plan: OverlayPlan): string[] {
  return plan.files.map((file) => file.target).filter((target) => ownerOf(target) === 'user');
}
