import { readFileSync } from 'node:fs';

/** The package root: `dist/` and `src/` both sit one level below it. */
export const packageRoot = new URL('..', import.meta.url);

export const templatesDir = new URL('templates/', packageRoot);

interface PackageJson {
  name: string;
  version: string;
}

let cached: PackageJson | undefined;

export function generatorPackage(): PackageJson {
  cached ??= JSON.parse(readFileSync(new URL('package.json', packageRoot), 'utf8')) as PackageJson;
  return cached;
}
