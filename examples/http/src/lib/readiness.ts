/** A dependency that must answer before the server is ready for traffic (database, data folder, …). */
export interface ReadinessCheck {
  name: string;
  /** Rejects when the dependency is unavailable; may resolve with a note (such as "busy: …") reported in place of "ok". */
  check(signal: AbortSignal): Promise<string | void>;
}

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, 'ok' | string>;
}

/** Runs every check in parallel, each bounded by `timeoutMs`, so a hung dependency cannot hang the probe. */
export async function checkReadiness(checks: readonly ReadinessCheck[], timeoutMs: number): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const note = await Promise.race([
          check(signal),
          new Promise<never>((_, reject) => {
            signal.addEventListener('abort', () => reject(new Error(`no answer within ${timeoutMs} ms`)), { once: true });
          }),
        ]);
        return { name, passed: true, status: typeof note === 'string' ? note : 'ok' };
      } catch (error) {
        return { name, passed: false, status: error instanceof Error ? error.message : String(error) };
      }
    }),
  );
  return { ready: results.every(({ passed }) => passed), checks: Object.fromEntries(results.map(({ name, status }) => [name, status])) };
}
