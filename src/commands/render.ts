import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { CliArgs } from '../args.js';
import { ExitCode, usageError } from '../errors.js';
import { resolveAnswers } from '../steps/ask.js';
import { renderRepo } from '../steps/render.js';

/**
 * `render --answers <file> --out <dir>`: writes exactly what `create` would for those answers
 * (no install, no git, no prompts, nothing printed) into an empty or new folder. Not in --help:
 * it is the stable way for a newer create-mcp-prod to have this version render its own files
 * (the merge base of `update`, the reference of `check`). Versions that support it say
 * `"createMcpProd": { "render": 1 }` in their package.json.
 */
export async function render(args: CliArgs, cwd = process.cwd()): Promise<number> {
  if (args.answers === undefined || args.out === undefined) throw usageError('render needs --answers <file.json> and --out <dir>');
  const out = path.resolve(cwd, args.out);
  const existing = await readdir(out).catch(() => []);
  if (existing.length > 0) throw usageError(`render --out ${args.out}: the folder is not empty`);
  const { answers } = await resolveAnswers({ ...args, answers: path.resolve(cwd, args.answers), yes: true, positionals: [] }, false);
  await renderRepo({ answers, destDir: out });
  return ExitCode.ok;
}
