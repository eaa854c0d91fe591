#!/usr/bin/env node
import { printReport } from './chaos/report';
import { runChaos } from './chaos/run-chaos';

/** `npm run chaos`: the full chaos run of issue 13 (CHAOS_BMCS, CHAOS_CONDITIONS to change it). */
function count(name: string, fallback: number): number {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a whole number above 0`);
  return n;
}

async function main(): Promise<void> {
  // Ctrl-C ends the run through its own clean-up (every process it started is stopped).
  const stop = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => stop.abort());
  const report = await runChaos({
    signal: stop.signal,
    bmcs: count('CHAOS_BMCS', 100),
    conditions: count('CHAOS_CONDITIONS', 1000),
    apis: 2,
    controllers: 3,
    natsServers: 3,
    deadlineMs: count('CHAOS_DEADLINE_MS', 15 * 60_000),
    keepFiles: process.env.CHAOS_KEEP === '1',
    log: (line) => process.stdout.write(`[${new Date().toISOString()}] ${line}\n`),
  });
  printReport(report, (line) => process.stdout.write(`${line}\n`));
  const ok =
    report.violations.length === 0 && report.failures.length === 0 && report.notFinal.length === 0;
  process.stdout.write(ok ? 'chaos: passed\n' : 'chaos: FAILED\n');
  process.exit(ok ? 0 : 1);
}

if (require.main === module)
  main().catch((err: Error) => {
    process.stderr.write(`chaos: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
