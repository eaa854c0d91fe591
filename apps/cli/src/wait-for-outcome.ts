import { isFinal } from '@switchboard/condition-types';
import type { Condition } from '@switchboard/condition-types';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiClient } from './api-client';
import { ApiRequestError, isTransient } from './api-errors';
import { mapLimit } from './map-limit';
import { formatDuration } from './output/duration';
import { resultFromCondition } from './server-results';
import type { ServerResult } from './server-results';

/** Longest single wait asked of the API (it allows up to 60 s). */
const LONG_POLL_MS = 25_000;
/** Time the HTTP request may take beyond the wait itself. */
const LONG_POLL_SLACK_MS = 10_000;
/** Long polls open at once; each one holds only an idle HTTP request. */
const LONG_POLLS_AT_ONCE = 256;

/** A condition that was accepted and has not been seen final yet. */
export interface PendingCondition {
  server: string;
  conditionId: string;
  /** As last seen (the creation answer at first). */
  condition?: Condition;
}

export interface WaitOptions {
  /** Overall bound: servers still unfinished then are reported as `timeout` (their work goes on). */
  timeoutMs: number;
  /** When the clock of `timeoutMs` started (default: now); the submission counts against the bound. */
  startedAt?: number;
  /** Pause before asking again after a transient failure (API briefly unreachable, 5xx). */
  intervalMs: number;
  /** Long polls in flight at once (default 256). */
  concurrency?: number;
  /** Called as each server gets its outcome (drives the progress bar). */
  onSettled?: (result: ServerResult) => void;
  /** Ends the wait early (Ctrl-C): servers unfinished then are reported as `timeout`. */
  signal?: AbortSignal;
}

interface Tracked extends PendingCondition {
  /** The last poll failed: why. Cleared by a successful poll. */
  pollError?: string;
}

/**
 * Long-polls GET /conditions/{id}?wait= until every condition is final or the timeout passes.
 * A poll that fails because the API is briefly unreachable or answers 5xx is retried after
 * `intervalMs`; a condition that has disappeared (404) is an `error`; other refusals end the wait.
 */
export async function waitForOutcomes(
  client: Pick<ApiClient, 'getCondition'>,
  pending: readonly PendingCondition[],
  opts: WaitOptions,
): Promise<ServerResult[]> {
  const deadline = (opts.startedAt ?? Date.now()) + opts.timeoutMs;
  const open = new Map<string, Tracked>(pending.map((p) => [p.server, { ...p }]));
  const settled: ServerResult[] = [];
  const settle = (tracked: Tracked, result: ServerResult) => {
    open.delete(tracked.server);
    settled.push(result);
    opts.onSettled?.(result);
  };

  for (const tracked of [...open.values()]) {
    if (tracked.condition && isFinal(tracked.condition.state)) settle(tracked, resultFromCondition(tracked.server, tracked.condition));
  }
  // One long poll per condition: the API answers as soon as the condition is final, so the
  // outcome is seen when it is written, not at the next polling round.
  await mapLimit([...open.values()], opts.concurrency ?? LONG_POLLS_AT_ONCE, async (tracked) => {
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0 || opts.signal?.aborted) return;
      const waitMs = Math.min(LONG_POLL_MS, remaining);
      try {
        const condition = await client.getCondition(tracked.conditionId, { waitMs, timeoutMs: waitMs + LONG_POLL_SLACK_MS, signal: opts.signal });
        tracked.condition = condition;
        tracked.pollError = undefined;
        if (isFinal(condition.state)) return settle(tracked, resultFromCondition(tracked.server, condition));
      } catch (err) {
        if (opts.signal?.aborted) return;
        if (err instanceof ApiRequestError && err.status === 404) {
          return settle(tracked, { server: tracked.server, outcome: 'error', conditionId: tracked.conditionId, reason: `condition ${tracked.conditionId} no longer exists` });
        }
        if (!isTransient(err)) throw err;
        tracked.pollError = (err as Error).message;
        await sleep(Math.min(opts.intervalMs, Math.max(0, deadline - Date.now())), undefined, { signal: opts.signal }).catch(() => undefined);
      }
    }
  });

  const waited = opts.signal?.aborted ? 'when mctl stopped waiting' : `after ${formatDuration(opts.timeoutMs)}`;
  for (const tracked of open.values()) {
    const state = tracked.condition?.state ?? 'pending';
    settle(tracked, {
      server: tracked.server,
      outcome: 'timeout',
      conditionId: tracked.conditionId,
      state,
      condition: tracked.condition,
      reason: tracked.pollError ? `lost track ${waited}: ${tracked.pollError}` : `still ${state} ${waited}`,
    });
  }
  return settled;
}
