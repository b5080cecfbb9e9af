// `npm run bench`: every section measures its cases side by side in one run and reports ratios
// (machines are shared and noisy; absolute numbers are only indicative). Writes bench/report.md.
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { benchCli } from './cli.mjs';
import { benchDb } from './db.mjs';
import { benchHttp } from './http.mjs';
import { benchLifecycle } from './lifecycle.mjs';

const only = process.argv[2];
const sections = [];
if (!only || only === 'cli') sections.push(await benchCli());
if (!only || only === 'http') sections.push(await benchHttp());
if (!only || only === 'db') sections.push(await benchDb());
if (!only || only === 'lifecycle') sections.push(await benchLifecycle());

const report = `# create-mcp-prod benchmark

Node ${process.version}, ${os.cpus().length} cores, ${new Date().toISOString().slice(0, 10)}.

${sections.join('\n')}`;
writeFileSync(new URL('report.md', import.meta.url), report);
process.stdout.write(report);
