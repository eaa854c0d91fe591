import type { Condition } from '@switchboard/condition-types';
import { isFinal } from '@switchboard/condition-types';

/** One `set` a simulated BMC received (its events.log), with the BMC's own clock. */
export interface BmcSet {
  ts: number;
  action: string;
  value: string;
}

/** When a condition was being worked on: from a controller's claim to its final record. */
export interface Window {
  conditionId: string;
  start: number;
  end: number;
  condition: Condition;
}

/** A claim record: the first one marks the start of the work on the BMC. */
const CLAIM = /^(picked up|taken over|resumed) by controller /;

/** The window of a condition that a controller started; undefined for one never picked up. */
export function windowOf(condition: Condition): Window | undefined {
  const claim = condition.status.records.find((r) => CLAIM.test(r.msg));
  if (!claim) return undefined;
  const end = isFinal(condition.state) ? Date.parse(condition.updatedAt) : Number.POSITIVE_INFINITY;
  return { conditionId: condition.id, start: Date.parse(claim.ts), end, condition };
}

/** What a power-changing condition leaves the server at, if anything. */
export function powerAfter(condition: Condition): 'on' | 'off' | undefined {
  const p = condition.parameters as { action?: string; action_parameter?: string };
  if (p.action !== 'set_power_state') return undefined;
  if (p.action_parameter === 'off' || p.action_parameter === 'soft') return 'off';
  return 'on'; // on, cycle, reset
}

/** The BMC `set`s a condition may cause: anything else inside its window came from elsewhere. */
function allowedSets(condition: Condition): Set<string> {
  const p = condition.parameters as { action?: string; action_parameter?: string };
  if (p.action !== 'set_power_state') return new Set();
  switch (p.action_parameter) {
    case 'on':
      return new Set(['power 1']);
    case 'off':
      return new Set(['power 0']);
    case 'soft':
      return new Set(['shutdown 1']);
    case 'cycle':
      return new Set(['power 0', 'power 1']);
    case 'reset':
      return new Set(['reset 1', 'power 1']);
    default:
      return new Set();
  }
}

export interface ServerVerdict {
  server: string;
  violations: string[];
}

/**
 * Checks one server from both sides: the conditions recorded for it, and what its BMC logged.
 *  - no two conditions were worked on at once (their windows do not overlap);
 *  - every `set` the BMC received falls inside the window of one condition, and is one that
 *    condition may send: a set outside every window, or of the wrong kind inside one, is a
 *    second operation running alongside (an orphan of a killed controller, a double delivery);
 *  - a power cycle powered the server off at most once (a cycle is never repeated);
 *  - the BMC's power state is what the last power-changing condition asked, when it succeeded.
 */
export function checkServer(
  server: string,
  conditions: Condition[],
  sets: BmcSet[],
  power: 'on' | 'off',
): ServerVerdict {
  const violations: string[] = [];
  const windows = conditions
    .map(windowOf)
    .filter((w): w is Window => w !== undefined)
    .sort((a, b) => a.start - b.start);
  for (let i = 1; i < windows.length; i++) {
    const [a, b] = [windows[i - 1], windows[i]];
    if (b.start < a.end)
      violations.push(
        `conditions ${a.conditionId} and ${b.conditionId} were worked on at once ` +
          `(${new Date(b.start).toISOString()} < ${new Date(a.end).toISOString()})`,
      );
  }
  const offsInCycle = new Map<string, number>();
  for (const set of sets) {
    const what = `${set.action} ${set.value}`;
    const inside = windows.filter((w) => set.ts >= w.start && set.ts <= w.end);
    if (inside.length === 0) {
      violations.push(
        `BMC received "${what}" at ${new Date(set.ts).toISOString()}, outside every condition`,
      );
      continue;
    }
    for (const w of inside) {
      if (!allowedSets(w.condition).has(what))
        violations.push(
          `BMC received "${what}" while condition ${w.conditionId} ran, which sends no such thing`,
        );
      const p = w.condition.parameters as { action_parameter?: string };
      if (p.action_parameter === 'cycle' && what === 'power 0')
        offsInCycle.set(w.conditionId, (offsInCycle.get(w.conditionId) ?? 0) + 1);
    }
  }
  for (const [id, n] of offsInCycle)
    if (n > 1) violations.push(`power cycle ${id} powered the server off ${n} times`);

  const last = windows.filter((w) => powerAfter(w.condition) !== undefined).at(-1);
  if (last?.condition.state === 'succeeded' && powerAfter(last.condition) !== power)
    violations.push(
      `power is ${power}, but the last condition (${last.conditionId}, ` +
        `${(last.condition.parameters as { action_parameter?: string }).action_parameter}) asked ` +
        `for ${powerAfter(last.condition)}`,
    );
  return { server, violations };
}
