import validatePackageName from 'validate-npm-package-name';
import { usageError } from './errors.js';

/** Validates against npm's rules for new packages; throws a one-line usage error naming the first problem. */
export function validateName(name: string): string {
  const result = validatePackageName(name);
  if (!result.validForNewPackages) {
    const problem = [...(result.errors ?? []), ...(result.warnings ?? [])][0] ?? 'not a valid npm package name';
    throw usageError(`invalid name "${name}": ${problem}`);
  }
  return name;
}

/** `@acme/weather` is created in `weather/`, like npm does with `npm init`. */
export function defaultDirFor(name: string): string {
  return name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name;
}

/**
 * A directory's basename turned into a plausible package name: `My Server` → `my-server`,
 * `café` → `cafe` (accents are dropped, the letters kept; npm names are ASCII).
 */
export function nameFromDir(dir: string): string {
  const name = dir
    .normalize('NFKD')
    .replace(/\p{Mark}+/gu, '')
    .toLowerCase()
    .trim()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|-+$/g, '');
  if (name === '') throw usageError(`cannot make a package name from the directory name "${dir}": pass --name`);
  return name;
}
