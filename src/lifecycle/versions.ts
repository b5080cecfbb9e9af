/**
 * A release version as npm publishes it: `major.minor.patch`, an optional `-pre.release` and
 * `+build`. The recorded version becomes a path in the package cache and an npm install spec, so
 * nothing else may pass: `../..` would leave the cache, `file:`/`github:` would install and run
 * someone else's code.
 */
const VERSION = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$/;

export function isVersion(value: string): boolean {
  return value.length <= 64 && VERSION.test(value);
}

/** Compares `major.minor.patch[-pre]` versions: negative when a is older than b. */
export function compareVersions(a: string, b: string): number {
  const [coreA = '', preA] = splitVersion(a);
  const [coreB = '', preB] = splitVersion(b);
  const partsA = coreA.split('.').map(Number);
  const partsB = coreB.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const diff = (partsA[i] ?? 0) - (partsB[i] ?? 0);
    if (diff !== 0) return diff;
  }
  // A pre-release comes before its release: 1.0.0-rc.1 < 1.0.0.
  if (preA === preB) return 0;
  if (preA === undefined) return 1;
  if (preB === undefined) return -1;
  return preA < preB ? -1 : 1;
}

function splitVersion(version: string): [string, string | undefined] {
  const dash = version.indexOf('-');
  return dash === -1 ? [version, undefined] : [version.slice(0, dash), version.slice(dash + 1)];
}
