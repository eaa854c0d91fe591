import type { ChaosReport } from './run-chaos';

/** The figures of a chaos run, one line each. */
export function printReport(r: ChaosReport, out: (line: string) => void): void {
  out(
    `conditions accepted: ${r.accepted} (succeeded ${r.succeeded}, failed ${r.failed}, ` +
      `not final ${r.notFinal.length})`,
  );
  for (const [why, n] of r.failedWhy.slice(0, 10)) out(`  failed ${n}x: ${why}`);
  out(
    `create requests met no API or a 5xx: ${r.unavailable}; ` +
      `409 (already there, waited on): ${r.busy}, naming ${r.learned} conditions whose ` +
      `answer was lost (${r.withdrawn} of them creates that failed and were undone)`,
  );
  out(
    `throughput under chaos: ${r.conditionsPerSecond.toFixed(1)} conditions/s ` +
      `over ${(r.durationMs / 1000).toFixed(1)} s`,
  );
  for (const k of r.kills)
    out(
      `kill -9 ${k.what} (${k.victim}) with ${k.inFlight} in flight: ` +
        `recovered in ${(k.recoveryMs / 1000).toFixed(1)} s` +
        (k.takenOver !== undefined
          ? ` (${k.takenOver} conditions finished by others or its restart)`
          : ''),
    );
  out(`violations: ${r.violations.length}`);
  for (const v of r.violations.slice(0, 50)) out(`  ${v}`);
  for (const f of r.failures) out(`  ${f}`);
  for (const id of r.notFinal.slice(0, 20)) out(`  not final: ${id}`);
  if (r.dataDir) out(`files kept (logs, evidence of any violation): ${r.dataDir}`);
}
