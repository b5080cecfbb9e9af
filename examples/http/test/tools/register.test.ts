import { describe, expect, it } from 'vitest';
import { capResult } from '../../src/tools/register.js';

describe('capResult', () => {
  it('leaves a result within the cap untouched', () => {
    const result = { content: [{ type: 'text' as const, text: 'short' }] };
    expect(capResult(result, 1_000)).toEqual(result);
  });

  it('cuts text over the cap, says so, and never splits a character', () => {
    const text = '😀'.repeat(5_000);
    const capped = capResult({ content: [{ type: 'text', text }] }, 1_000);
    const block = capped.content[0];
    if (block?.type !== 'text') throw new Error('expected text');
    expect(block.text.length).toBeLessThanOrEqual(1_000);
    expect(block.text).toContain('[truncated:');
    expect(block.text).toContain('MAX_RESULT_CHARS');
    expect(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(block.text)).toBe(false);
  });

  it('shares one budget across text blocks and keeps the error flag', () => {
    const capped = capResult(
      {
        content: [
          { type: 'text', text: 'a'.repeat(900) },
          { type: 'text', text: 'b'.repeat(900) },
          { type: 'text', text: 'c'.repeat(900) },
        ],
        isError: true,
      },
      1_000,
    );
    const texts = capped.content.map((block) => (block.type === 'text' ? block.text : ''));
    expect(texts[0]).toBe('a'.repeat(900));
    expect(texts[1]).toMatch(/^… \[truncated: 900 characters omitted/);
    expect(texts[2]).toMatch(/^… \[truncated: 900 characters omitted/);
    expect(capped.isError).toBe(true);
  });
});

describe('capResult on a data result', () => {
  const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

  it('leaves a data result within the cap untouched', () => {
    const result = { content: [{ type: 'text' as const, text: '{"id":1}' }], structuredContent: { id: 1 } };
    expect(capResult(result, 1_000)).toBe(result);
  });

  it('shortens an oversized value in place: same shape, valid JSON, the text the same data', () => {
    const data = { id: 7, title: 'kept whole', body: '😀'.repeat(500_000), tags: ['a', 'b'] };
    const capped = capResult({ content: [{ type: 'text', text: JSON.stringify(data) }], structuredContent: data }, 2_000);
    const block = capped.content[0];
    if (block?.type !== 'text') throw new Error('expected text');
    expect(block.text.length).toBeLessThanOrEqual(2_000);
    expect(block.text).not.toMatch(UNPAIRED_SURROGATE);
    expect(JSON.parse(block.text)).toEqual(capped.structuredContent);
    const shrunk = capped.structuredContent as typeof data;
    expect(shrunk).toMatchObject({ id: 7, title: 'kept whole', tags: ['a', 'b'] });
    expect(shrunk.body).toMatch(/^(😀)+… \[\d+ more characters cut\]$/);
  });

  it('caps a data result whose text block alone is oversized', () => {
    const data = { summary: 'x'.repeat(5_000) };
    const capped = capResult({ content: [{ type: 'text', text: JSON.stringify(data, null, 2).repeat(3) }], structuredContent: data }, 1_000);
    const block = capped.content[0];
    expect(block?.type === 'text' && block.text.length).toBeLessThanOrEqual(1_000);
  });
});
