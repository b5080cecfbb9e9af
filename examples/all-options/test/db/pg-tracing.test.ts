import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useOtlpReceiver } from '../helpers/otlp-receiver.js';

// With tracing on, queries through `pg` (DATABASE_URL) are child spans of whatever span is active:
// a tool call's. The instrumentation must be in place before `pg` is loaded, as index.ts does it,
// so this runs the built modules in a process of their own. The embedded PGlite is not `pg`.

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const databaseUrl = process.env.DATABASE_URL;

const SCRIPT = `
  import { createLogger } from './dist/lib/logger.js';
  import { startTelemetry } from './dist/lib/telemetry/index.js';
  const logger = createLogger('warn');
  const telemetry = await startTelemetry(logger);
  const { loadConfig } = await import('./dist/config.js');
  const { openDatabase } = await import('./dist/db/index.js');
  const { trace } = await import('@opentelemetry/api');
  const db = await openDatabase(loadConfig(), logger);
  await trace.getTracer('test').startActiveSpan('tools/call query_database', async (span) => {
    await db.check(AbortSignal.timeout(10_000));
    span.end();
  });
  await db.close();
  await telemetry.shutdown(10_000);
`;

const receiver = useOtlpReceiver();

describe('pg queries under tracing', () => {
  it.skipIf(!databaseUrl)('are child spans of the active span', async () => {
    await promisify(execFile)(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: databaseUrl ?? '',
        DB_ALLOW_PRIVILEGED: 'true',
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      },
    });
    const spans = receiver.spans();
    const parent = spans.find((span) => span.name === 'tools/call query_database');
    const queries = spans.filter((span) => span.name.startsWith('pg.query'));
    expect(parent).toBeDefined();
    // Opening the database checks the role first, outside any span: those queries are roots of
    // their own traces. Every query made while the call's span is active is its child.
    const inCall = queries.filter((query) => query.traceId === parent?.traceId);
    expect(inCall.length).toBeGreaterThan(0);
    for (const query of inCall) expect(query).toMatchObject({ parentSpanId: parent?.spanId });
  });
});
