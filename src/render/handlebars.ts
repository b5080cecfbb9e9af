import HandlebarsRuntime from 'handlebars/runtime';
import { COMPILE_OPTIONS, templateKey, type PrecompiledTemplates } from './precompiled.js';

export type TemplateData = Record<string, unknown>;
type HandlebarsInstance = typeof HandlebarsRuntime;
type TemplateSpecification = Parameters<HandlebarsInstance['template']>[0];

/**
 * Our own Handlebars instance, not plop's: `noEscape` because we emit code, not HTML (plop's
 * default turns `&` into `&amp;`), and `strict` (plus `strictData`) so a misspelt variable fails
 * the render instead of silently becoming an empty string or `false`.
 *
 * By default the runtime alone, which renders the templates the build precompiled but compiles
 * nothing; pass the full Handlebars (`loadCompiler`) to render others.
 */
export function createHandlebars(handlebars: HandlebarsInstance = HandlebarsRuntime): HandlebarsInstance {
  const hb = handlebars.create();
  hb.registerHelper('json', (value: unknown) => JSON.stringify(value));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('includes', (list: unknown, item: unknown) => Array.isArray(list) && list.includes(item));
  return hb;
}

/**
 * An instance that can render every one of `sources`: the runtime when the build precompiled them
 * all (every generation from the published package), which spares loading the compiler; the full
 * Handlebars otherwise (a test fixture, a template edited after the build, running from source).
 */
export async function handlebarsFor(sources: Iterable<string>, precompiled: PrecompiledTemplates): Promise<HandlebarsInstance> {
  for (const source of sources) {
    if (!precompiled.has(templateKey(source))) return createHandlebars(await loadCompiler());
  }
  return createHandlebars();
}

/** The full Handlebars, compiler included: a chunk of its own in the bundle, loaded only when needed. */
export async function loadCompiler(): Promise<HandlebarsInstance> {
  const { default: Handlebars } = await import('handlebars');
  return Handlebars;
}

export class TemplateError extends Error {
  constructor(file: string, cause: unknown) {
    super(`template ${file}: ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}`);
    this.name = 'TemplateError';
  }
}

/** Renders `source`, from its build-time compiled form when `precompiled` has this exact text. */
export function renderTemplate(hb: HandlebarsInstance, source: string, data: TemplateData, file: string, precompiled?: PrecompiledTemplates): string {
  try {
    const spec = precompiled?.get(templateKey(source));
    if (spec === undefined && !('compile' in hb)) throw new Error('not precompiled, and this Handlebars instance has no compiler (see handlebarsFor)');
    const template = spec ? hb.template(spec as TemplateSpecification) : hb.compile(source, { ...COMPILE_OPTIONS });
    return template(strictData(data));
  } catch (error) {
    throw new TemplateError(file, error);
  }
}

/** Names that JSON.stringify, promises and string conversion probe for; they may be missing. */
const PROBED = new Set(['toJSON', 'then', 'constructor', 'toString', 'valueOf']);

/**
 * Handlebars' `strict` covers `{{name}}` but not helper and block arguments: `{{#if has.htpp}}`
 * would quietly be false. This proxy makes every lookup of a missing variable an error, wherever
 * it appears, naming the dotted path.
 */
export function strictData<T extends object>(data: T, path = ''): T {
  return new Proxy(data, {
    get(target, property, receiver) {
      if (typeof property === 'symbol' || PROBED.has(property) || property in target) {
        const value: unknown = Reflect.get(target, property, receiver);
        return isPlainObject(value) ? strictData(value, `${path}${String(property)}.`) : value;
      }
      throw new Error(`"${path}${property}" is not a template variable`);
    },
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
