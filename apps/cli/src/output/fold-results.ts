import { compareNatural, foldNames } from '@switchboard/inventory/node-ranges';
import type { Outcome, ServerResult } from '../server-results';
import { successLabel } from './describe';
import { oneLine } from './terminal-safe';

/** Successes first, then what needs a look, in this order. */
const rank: Record<Outcome, number> = {
  succeeded: 0,
  queued: 1,
  failed: 2,
  timeout: 3,
  conflict: 4,
  unknown: 5,
  error: 6,
};

interface Line {
  rank: number;
  label: string;
  detail?: string;
  servers: string[];
}

/**
 * ipmipower-style report: one line per distinct outcome, servers folded into ranges.
 *   on: node[01-05]
 *   off: node[07-08]
 *   failed: node06 (BMC unreachable)
 *   conflict: node09 (condition 5f0c… in progress)
 *   unknown: node99
 * Servers with the same label and the same detail share a line. Lines are ordered by
 * outcome, then by their first server in natural order.
 */
export function foldResults(results: readonly ServerResult[]): string[] {
  const lines = new Map<string, Line>();
  for (const r of results) {
    const { label, detail } = describe(r);
    const key = `${r.outcome}\u0000${label}\u0000${detail ?? ''}`;
    const line = lines.get(key) ?? { rank: rank[r.outcome], label, detail, servers: [] };
    line.servers.push(r.server);
    lines.set(key, line);
  }
  return [...lines.values()]
    .map((l) => ({ ...l, servers: [...l.servers].sort(compareNatural) }))
    .sort((a, b) => a.rank - b.rank || compareNatural(a.servers[0], b.servers[0]))
    .map((l) => `${l.label}: ${foldNames(l.servers)}${l.detail ? ` (${oneLine(l.detail)})` : ''}`);
}

function describe(r: ServerResult): { label: string; detail?: string } {
  switch (r.outcome) {
    case 'succeeded':
      return { label: successLabel(r.condition) };
    case 'queued':
      return { label: 'queued', detail: r.conditionId ? `condition ${r.conditionId}` : undefined };
    case 'failed':
      return { label: 'failed', detail: r.reason };
    case 'timeout':
      return { label: 'timeout', detail: r.reason ?? `still ${r.state ?? 'pending'}` };
    case 'conflict':
      return {
        label: 'conflict',
        detail: r.conflictingConditionId
          ? `condition ${r.conflictingConditionId} in progress`
          : r.reason,
      };
    case 'unknown':
      return { label: 'unknown' };
    case 'error':
      return { label: 'error', detail: r.reason };
  }
}
