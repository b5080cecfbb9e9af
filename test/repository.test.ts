import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const read = (file: string) => readFile(new URL(`../${file}`, import.meta.url), 'utf8');

describe('this repository', () => {
  it('ships the license package.json names', async () => {
    const pkg = JSON.parse(await read('package.json')) as { license: string };
    expect(pkg.license).toBe('MIT');
    expect((await read('LICENSE')).split('\n')[0]).toBe('MIT License');
  });

  it('says first that it runs from a clone until it is published, and how it will run then', async () => {
    const [, , first = '', second = ''] = (await read('README.md')).split('\n');
    expect(first).toMatch(/^Not yet published to npm: today it runs from a clone .*Quick start/);
    expect(second).toContain('Once published, `npm create mcp-prod my-server` is how it will run.');
  });
});
