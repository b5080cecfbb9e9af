import Handlebars from 'handlebars';

export type TemplateData = Record<string, unknown>;

/**
 * Our own Handlebars instance, not plop's: `noEscape` because we emit code, not HTML (plop's
 * default turns `&` into `&amp;`), and `strict` so a misspelt variable fails the render instead
 * of silently becoming an empty string.
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

export function renderTemplate(hb: typeof Handlebars, source: string, data: TemplateData, file: string): string {
  try {
    return hb.compile(source, { noEscape: true, strict: true })(data);
  } catch (error) {
    throw new TemplateError(file, error);
  }
}
