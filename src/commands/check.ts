import type { CliArgs } from '../args.js';
import { consoleOutput, type Output } from '../context.js';
import { ExitCode } from '../errors.js';
import { findDrift, type Drift } from '../lifecycle/drift.js';
import { renderVersion } from '../lifecycle/render-version.js';
import { findGeneratedRepo } from '../lifecycle/repo.js';
import { compareVersions } from '../lifecycle/versions.js';
import { generatorPackage } from '../version.js';

/**
 * `check`: renders the recorded version with the recorded answers and compares, writing nothing
 * and never prompting. 0 in sync; 1 drift (managed files edited or missing, conflict markers);
 * 64 not a generated repo or a bad manifest; 69 the recorded version cannot be rendered.
 */
export async function check(args: CliArgs, cwd = process.cwd(), out: Output = consoleOutput): Promise<number> {
  const { root, manifest } = await findGeneratedRepo(cwd);
  const running = generatorPackage().version;
  const newer = compareVersions(running, manifest.version) > 0 ? running : undefined;
  const expected = await renderVersion(manifest.version, manifest.answers, { cwd, ...(args.fromPackage !== undefined && { fromPackage: args.fromPackage }) });
  const drift = await findDrift(root, manifest, expected);

  if (args.json) {
    out.info(JSON.stringify({ inSync: drift.length === 0, root, recordedVersion: manifest.version, runningVersion: running, newerGenerator: newer !== undefined, drift }, null, 2));
  } else {
    report(drift, manifest.version, out);
    if (newer !== undefined) out.info(`create-mcp-prod ${newer} is running; this repo is at ${manifest.version}: run "npx create-mcp-prod@${newer} update" to move it.`);
  }
  return drift.length === 0 ? ExitCode.ok : ExitCode.failure;
}

function report(drift: Drift[], version: string, out: Output): void {
  if (drift.length === 0) {
    out.info(`In sync with create-mcp-prod ${version}: no managed file changed, no conflict markers.`);
    return;
  }
  for (const item of drift) {
    if (item.kind === 'missing') out.info(`missing   ${item.file} (managed; "update" keeps a deletion you mean)`);
    else if (item.kind === 'conflict-markers') out.info(`conflict  ${item.file} (conflict markers left: resolve them)`);
    else out.info(`modified  ${item.file} (managed)\n${item.diff ?? ''}`);
  }
  out.info(`${drift.length} file(s) out of sync with create-mcp-prod ${version}. Move your change to your own files (see README, "Your code and the generator's").`);
}
