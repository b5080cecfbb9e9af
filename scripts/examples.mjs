#!/usr/bin/env node
// `npm run examples`: renders every variant of the templates into examples/<variant>/ with the
// built CLI's `render` command, replacing what was there. Commit the result: test/examples.test.ts
// fails when a template change is not reflected in examples/.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const description = 'A production-ready MCP server';

/** One folder per variant: the default (stdio), HTTP alone, and every option at once. */
export const VARIANTS = {
  stdio: { name: 'example-stdio', description, transports: ['stdio'], db: 'none' },
  http: { name: 'example-http', description, transports: ['http'], db: 'none' },
  'all-options': { name: 'example-all-options', description, transports: ['stdio', 'http', 'sse'], db: 'postgres' },
};

const scratch = mkdtempSync(path.join(os.tmpdir(), 'create-mcp-prod-examples-'));
try {
  for (const [variant, answers] of Object.entries(VARIANTS)) {
    const out = path.join(root, 'examples', variant);
    const answersFile = path.join(scratch, `${variant}.json`);
    writeFileSync(answersFile, JSON.stringify(answers));
    rmSync(out, { recursive: true, force: true });
    execFileSync(process.execPath, [path.join(root, 'dist', 'cli.js'), 'render', '--answers', answersFile, '--out', out], { stdio: 'inherit' });
    process.stdout.write(`examples/${variant}\n`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
