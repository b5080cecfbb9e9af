import { readFileSync } from 'node:fs';

interface PackageJson {
  name: string;
  version: string;
}

// One source of truth: the name and version clients see are the ones in package.json.
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as PackageJson;

export const SERVER_INFO = { name: pkg.name, version: pkg.version } as const;
