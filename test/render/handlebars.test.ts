import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import { TemplateError, createHandlebars, handlebarsFor, renderTemplate } from '../../src/render/handlebars.js';
import { COMPILE_OPTIONS, templateKey } from '../../src/render/precompiled.js';

const hb = createHandlebars(Handlebars);
const render = (source: string, data: Record<string, unknown> = {}, file = 'base/x.ts.hbs') => renderTemplate(hb, source, data, file);

function renderError(source: string, data: Record<string, unknown> = {}, file = 'base/x.ts.hbs'): Error {
  try {
    render(source, data, file);
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the render to fail');
}

describe('renderTemplate', () => {
  it('trap: no HTML escaping — & < > " \' ` = come out raw', () => {
    expect(render('{{value}}', { value: `A & B <demo> "q" 'x' \`t\` a=b` })).toBe(`A & B <demo> "q" 'x' \`t\` a=b`);
  });

  it('trap: strict — a missing variable throws a TemplateError naming the file', () => {
    const error = renderError('const name = "{{nmae}}";', { name: 'demo' }, 'base/src/a.ts.hbs');
    expect(error).toBeInstanceOf(TemplateError);
    expect(error.message).toMatch(/^template base\/src\/a\.ts\.hbs: /);
    expect(error.message).toContain('nmae');
  });

  it('trap: strict — a missing nested field throws too', () => {
    expect(renderError('{{has.htpp}}', { has: { http: true } }).message).toContain('htpp');
  });

  it('keeps only the first line of the cause in the message', () => {
    const error = renderError('{{#if}}', {});
    expect(error.message).toMatch(/^template base\/x\.ts\.hbs: /);
    expect(error.message).not.toContain('\n');
  });

  it('a syntax error is reported as a TemplateError naming the file', () => {
    const error = renderError('{{#if a}}never closed', { a: true }, 'stdio/broken.ts.hbs');
    expect(error).toBeInstanceOf(TemplateError);
    expect(error.message).toContain('stdio/broken.ts.hbs');
  });

  it('trap: GitHub Actions — $\\{{ matrix.node }} in a .hbs renders as ${{ matrix.node }}', () => {
    expect(render('node-version: $\\{{ matrix.node }}', {})).toBe('node-version: ${{ matrix.node }}');
  });

  it('trap: GitHub Actions — an unescaped ${{ matrix.node }} in a .hbs fails loudly (strict) instead of vanishing', () => {
    expect(renderError('node-version: ${{ matrix.node }}', {}).message).toContain('template base/x.ts.hbs');
  });

  it('trap: \\${{ … }} is not a Handlebars escape (the backslash must touch the braces)', () => {
    expect(() => render('node-version: \\${{ matrix.node }}', {})).toThrow(TemplateError);
  });

  it('keeps whitespace and newlines byte for byte outside of tags', () => {
    expect(render('a\r\n\tb  {{x}}\n\n', { x: 'y' })).toBe('a\r\n\tb  y\n\n');
  });

  it('renders if/else blocks on boolean data', () => {
    const source = '{{#if has.http}}http{{else}}no http{{/if}}';
    expect(render(source, { has: { http: true } })).toBe('http');
    expect(render(source, { has: { http: false } })).toBe('no http');
  });
});

describe('renderTemplate: misspelt variables in helper and block arguments (beyond Handlebars strict)', () => {
  const data = { has: { http: true }, transports: ['stdio'], name: 'demo', db: 'none' };
  it.each([
    ['{{#if has.htpp}}x{{/if}}', 'has.htpp'],
    ['{{#unless has.htpp}}x{{/unless}}', 'has.htpp'],
    ['{{#each trasnports}}{{this}}{{/each}}', 'trasnports'],
    ['{{json nmae}}', 'nmae'],
    ['{{#if (eq dbb "none")}}x{{/if}}', 'dbb'],
  ])('%s fails, naming %s', (source, variable) => {
    const error = renderError(source, data);
    expect(error).toBeInstanceOf(TemplateError);
    expect(error.message).toContain(`"${variable}" is not a template variable`);
  });

  it('known variables in the same places still render', () => {
    expect(render('{{#if has.http}}h{{/if}}{{#each transports}}{{this}}{{/each}}{{json name}}{{#if (eq db "none")}}!{{/if}}', data)).toBe(
      'hstdio"demo"!',
    );
  });
});

describe('helpers', () => {
  it('json writes a JSON literal, quoting and escaping strings', () => {
    expect(render('{{json value}}', { value: 'A "quoted" \\ <b> & c' })).toBe(JSON.stringify('A "quoted" \\ <b> & c'));
    expect(render('{{json list}}', { list: ['stdio', 'http'] })).toBe('["stdio","http"]');
  });

  it('eq compares strictly', () => {
    expect(render('{{#if (eq db "postgres")}}pg{{else}}none{{/if}}', { db: 'postgres' })).toBe('pg');
    expect(render('{{#if (eq db "postgres")}}pg{{else}}none{{/if}}', { db: 'none' })).toBe('none');
    expect(render('{{#if (eq n "1")}}same{{else}}different{{/if}}', { n: 1 })).toBe('different');
  });

  it('includes checks list membership and is false for a non-list', () => {
    const source = '{{#if (includes transports "sse")}}yes{{else}}no{{/if}}';
    expect(render(source, { transports: ['http', 'sse'] })).toBe('yes');
    expect(render(source, { transports: ['stdio'] })).toBe('no');
    expect(render(source, { transports: 'sse' })).toBe('no');
  });

  it('is a private instance: helpers are not registered on the global Handlebars', () => {
    expect(Handlebars.helpers).not.toHaveProperty('json');
    expect(Handlebars.helpers).not.toHaveProperty('includes');
    expect(createHandlebars()).not.toBe(Handlebars);
  });
});

describe('renderTemplate from a precompiled template', () => {
  const source = 'export const name = {{json name}}; // {{description}} {{#if has.http}}http{{/if}}\n';
  const compiled = (text: string) => new Map([[templateKey(text), new Function(`return ${Handlebars.precompile(text, { ...COMPILE_OPTIONS })}`)() as object]]);

  it('renders what compiling renders: raw, not HTML-escaped', () => {
    const data = { name: 'demo', description: 'A & B <demo>', has: { http: true } };
    expect(renderTemplate(hb, source, data, 'x.hbs', compiled(source))).toBe(renderTemplate(hb, source, data, 'x.hbs'));
    expect(renderTemplate(hb, source, data, 'x.hbs', compiled(source))).toContain('A & B <demo>');
  });

  it('trap: strict — a missing variable still throws a TemplateError naming the file', () => {
    expect(() => renderTemplate(hb, '{{nmae}}', { name: 'demo' }, 'base/a.ts.hbs', compiled('{{nmae}}'))).toThrow(/^template base\/a\.ts\.hbs: .*nmae/);
    expect(() => renderTemplate(hb, '{{#if has.htpp}}x{{/if}}', { has: { http: true } }, 'b.hbs', compiled('{{#if has.htpp}}x{{/if}}'))).toThrow(/htpp/);
  });

  it('a template whose text changed since the build is compiled from its text', () => {
    expect(renderTemplate(hb, 'new {{name}}', { name: 'demo' }, 'x.hbs', compiled('old {{name}}'))).toBe('new demo');
  });

  it('renders with the runtime alone (no compiler), and names a template it cannot render', () => {
    const runtime = createHandlebars();
    expect('compile' in runtime).toBe(false);
    const data = { name: 'demo', description: 'A & B <demo>', has: { http: true } };
    expect(renderTemplate(runtime, source, data, 'x.hbs', compiled(source))).toBe(renderTemplate(hb, source, data, 'x.hbs'));
    expect(() => renderTemplate(runtime, 'new {{name}}', data, 'base/new.ts.hbs', compiled(source))).toThrow(/^template base\/new\.ts\.hbs: not precompiled/);
  });
});

describe('handlebarsFor', () => {
  const precompiled = new Map([[templateKey('{{name}}'), new Function(`return ${Handlebars.precompile('{{name}}', { ...COMPILE_OPTIONS })}`)() as object]]);

  it('gives the runtime alone when every template was precompiled', async () => {
    const instance = await handlebarsFor(['{{name}}', '{{name}}'], precompiled);
    expect('compile' in instance).toBe(false);
    expect(renderTemplate(instance, '{{name}}', { name: 'demo' }, 'x.hbs', precompiled)).toBe('demo');
  });

  it('loads the compiler for a template that was not, with the same helpers', async () => {
    const instance = await handlebarsFor(['{{name}}', '{{json name}}'], precompiled);
    expect(renderTemplate(instance, '{{json name}}', { name: 'demo' }, 'x.hbs', precompiled)).toBe('"demo"');
  });
});
