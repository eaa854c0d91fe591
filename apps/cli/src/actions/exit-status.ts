import { compareNatural, foldNames } from '@switchboard/inventory/node-ranges';
import { ExitCode } from '../exit-codes';
import { exitCodeFor, type ServerResult } from '../server-results';

/** The exit status the node's script gave, when it ran and exited non-zero. */
export function scriptExitCode(result: ServerResult): number | undefined {
  if (result.outcome === 'succeeded' || result.outcome === 'queued') return undefined;
  const code = result.condition?.kind === 'action' ? result.condition.result?.exit_code : undefined;
  return typeof code === 'number' && code > 0 ? code : undefined;
}

/**
 * mctl run's exit status: 0 when every node succeeded, else 1, whatever the scripts exited
 * with. A script's status passed through (OpenFlight's client exits 0 whatever happened; an
 * earlier mctl exited with the highest script status) would collide with mctl's own codes:
 * a script exiting 3 read as "API unreachable". The scripts' statuses are printed instead
 * (`scriptExitLines`) and are in `-o json`'s `exit_code`.
 */
export function runExitStatus(results: readonly ServerResult[]): ExitCode {
  return exitCodeFor(results);
}

/**
 * The scripts' own non-zero exit statuses, one line per status, its nodes folded, lowest
 * status first: `exit status 3: node[02,07]`.
 */
export function scriptExitLines(results: readonly ServerResult[]): string[] {
  const byCode = new Map<number, string[]>();
  for (const r of results) {
    const code = scriptExitCode(r);
    if (code !== undefined) byCode.set(code, [...(byCode.get(code) ?? []), r.server]);
  }
  return [...byCode.entries()]
    .sort(([a], [b]) => a - b)
    .map(
      ([code, servers]) => `exit status ${code}: ${foldNames([...servers].sort(compareNatural))}`,
    );
}
