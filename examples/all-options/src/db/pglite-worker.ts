/**
 * The embedded database's worker thread, as source evaluated by `new Worker(…, { eval: true })`.
 * A string rather than a file so it runs the same from `dist/` and from `src/` under Vitest (which
 * cannot start a `.ts` worker), in a CommonJS or ES module package: it uses only `import()`.
 *
 * Messages in: `{ id, sql, params, maxRowBytes }`, one statement each (PGlite's `query` uses the
 * extended protocol). Out: `{ ready }` once started and seeded, then `{ id, result }` or
 * `{ id, error: { message, code, position } }`. A row larger than `maxRowBytes` is an error, not a result.
 */
export const WORKER_SOURCE = `
(async () => {
  const { parentPort, workerData } = await import('node:worker_threads');
  const { PGlite } = await import(workerData.pgliteUrl);
  const db = await PGlite.create();
  if (workerData.seedSql) await db.exec(workerData.seedSql);

  const sizeOf = (row) => {
    let total = 0;
    for (const value of Object.values(row)) {
      if (typeof value === 'string') total += value.length;
      else if (value instanceof Uint8Array) total += value.byteLength * 2;
      else if (value !== null && typeof value === 'object') total += JSON.stringify(value).length;
      else total += 16;
    }
    return total;
  };

  parentPort.on('message', async ({ id, sql, params, maxRowBytes }) => {
    try {
      const { rows, fields } = await db.query(sql, params);
      const tooLarge = rows.find((row) => sizeOf(row) > maxRowBytes);
      if (tooLarge) {
        parentPort.postMessage({ id, error: { message: 'row too large', code: 'ROW_TOO_LARGE' } });
        return;
      }
      parentPort.postMessage({ id, result: { rows, fields: fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })) } });
    } catch (error) {
      parentPort.postMessage({ id, error: { message: String((error && error.message) || error), code: error && error.code, position: error && error.position } });
    }
  });
  parentPort.postMessage({ ready: true });
})().catch((error) => {
  throw error;
});
`;
