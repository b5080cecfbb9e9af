import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { generatorPackage, packageRoot, templatesDir } from '../src/version.js';

describe('version', () => {
  it('reads name and version from the package.json at the package root', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };
    expect(generatorPackage()).toMatchObject({ name: 'create-mcp-prod', version: pkg.version });
    expect(fileURLToPath(packageRoot)).toBe(fileURLToPath(new URL('../', import.meta.url)));
  });

  it('points templatesDir at a folder holding the base layer', () => {
    expect(statSync(fileURLToPath(new URL('base/', templatesDir))).isDirectory()).toBe(true);
  });
});
