import Handlebars from 'handlebars';
import { COMPILE_OPTIONS, templateKey, type PrecompiledTemplates } from './precompiled.js';

export type TemplateData = Record<string, unknown>;
type TemplateSpecification = Parameters<typeof Handlebars.template>[0];

/**
 * Our own Handlebars instance, not plop's: `noEscape` because we emit code, not HTML (plop's
 * default turns `&` into `&amp;`), and `strict` (plus `strictData`) so a misspelt variable fails
 * the render instead of silently becoming an empty string or `false`.
 */
export function createHandlebars(): typeof Handlebars {
  const hb = Handlebars.create();
  hb.registerHelper('json', (value: unknown) => JSON.stringify(value));
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  hb.registerHelper('includes', (list: unknown, item: unknown) => Array.isArray(list) && list.includes(item));
  return hb;
}

export class TemplateError extends Error {
  constructor(file: string, cause: unknown) {
    super(`template ${file}: ${cause instanceof Error ? cause.message.split('\n')[0] : String(cause)}`);
    this.name = 'TemplateError';
  }
}

/** Renders `source`, from its build-time compiled form when `precompiled` has this exact text. */
export function renderTemplate(hb: typeof Handlebars, source: string, data: TemplateData, file: string, precompiled?: PrecompiledTemplates): string {
  try {
    const spec = precompiled?.get(templateKey(source));
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
