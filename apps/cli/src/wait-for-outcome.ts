import { isFinal } from '@switchboard/condition-types';
import type { Condition } from '@switchboard/condition-types';
import { setTimeout as sleep } from 'node:timers/promises';
import { IDS_PER_REQUEST } from './api-client';
import type { ApiClient } from './api-client';
import { isTransient } from './api-errors';
import pMap from 'p-map';
import { formatDuration } from './output/duration';
import { resultFromCondition } from './server-results';
import type { ServerResult } from './server-results';

/** Longest single wait asked of the API (it allows up to 60 s). */
const LONG_POLL_MS = 25_000;
/** Time the HTTP request may take beyond the wait itself. */
const LONG_POLL_SLACK_MS = 10_000;
/** Bound on the last look at conditions still unfinished when the wait ends (Ctrl-C included). */
const LAST_LOOK_MS = 2_000;
/** Requests open at once; each holds an idle HTTP request for up to IDS_PER_REQUEST conditions. */
const REQUESTS_AT_ONCE = 32;

/** A condition that was accepted and has not been seen final yet. */
export interface PendingCondition {
  server: string;
  conditionId: string;
  /** As last seen (the creation answer at first). */
  condition?: Condition;
}

export interface WaitOptions {
  /**
   * Overall bound: servers still unfinished then are reported as `timeout` (their work goes on).
   */
  timeoutMs: number;
  /**
   * When the clock of `timeoutMs` started (default: now); the submission counts against the bound.
   */
  startedAt?: number;
  /** Pause before asking again after a transient failure (API briefly unreachable, 5xx). */
  intervalMs: number;
  /** Requests in flight at once (default 32). */
  concurrency?: number;
  /** Conditions named by one request (default IDS_PER_REQUEST). */
  idsPerRequest?: number;
  /** Called as each server gets its outcome (drives the progress bar). */
  onSettled?: (result: ServerResult) => void;
  /** Ends the wait early (Ctrl-C): servers unfinished then are reported as `timeout`. */
  signal?: AbortSignal;
}

interface Tracked extends PendingCondition {
  /** The last request failed: why. Cleared by an answer about this condition. */
  pollError?: string;
}

/**
 * Waits for every condition to be final, or for the timeout. The conditions are followed in
 * groups, one GET /outcomes request per group, which the API answers line by line as each
 * condition becomes final, so an outcome is seen when it is written, with one request for a
 * whole batch rather than a long poll per server. A group whose wait ran out is asked again for
 * what is still unfinished. A request that fails because the API is briefly unreachable or
 * answers 5xx is retried after `intervalMs`; a condition that has disappeared is an `error`;
 * other refusals end the wait.
 */
export async function waitForOutcomes(
  client: Pick<ApiClient, 'followOutcomes'>,
  pending: readonly PendingCondition[],
  opts: WaitOptions,
): Promise<ServerResult[]> {
  const deadline = (opts.startedAt ?? Date.now()) + opts.timeoutMs;
  const open = new Map<string, Tracked>(pending.map((p) => [p.conditionId, { ...p }]));
  const settled: ServerResult[] = [];
  const settle = (tracked: Tracked, result: ServerResult) => {
    if (!open.delete(tracked.conditionId)) return;
    settled.push(result);
    opts.onSettled?.(result);
  };

  for (const tracked of [...open.values()]) {
    if (tracked.condition && isFinal(tracked.condition.state))
      settle(tracked, resultFromCondition(tracked.server, tracked.condition));
  }
  const size = opts.idsPerRequest ?? IDS_PER_REQUEST;
  const waiting = [...open.values()];
  const groups = Array.from({ length: Math.ceil(waiting.length / size) }, (_, i) =>
    waiting.slice(i * size, (i + 1) * size),
  );

  await pMap(
    groups,
    async (group) => {
      for (;;) {
        const left = group.filter((t) => open.has(t.conditionId));
        const remaining = deadline - Date.now();
        if (left.length === 0 || remaining <= 0 || opts.signal?.aborted) return;
        const waitMs = Math.min(LONG_POLL_MS, remaining);
        try {
          const lines = client.followOutcomes(
            left.map((t) => t.conditionId),
            { waitMs, timeoutMs: waitMs + LONG_POLL_SLACK_MS, signal: opts.signal },
          );
          for await (const { id, condition } of lines) {
            const tracked = open.get(id);
            if (!tracked) continue;
            tracked.pollError = undefined;
            if (condition === null) {
              settle(tracked, {
                server: tracked.server,
                outcome: 'error',
                conditionId: id,
                reason: `condition ${id} no longer exists`,
              });
            } else {
              tracked.condition = condition;
              if (isFinal(condition.state))
                settle(tracked, resultFromCondition(tracked.server, condition));
            }
          }
        } catch (err) {
          if (opts.signal?.aborted) return;
          if (!isTransient(err)) throw err;
          for (const tracked of left) tracked.pollError = (err as Error).message;
          await sleep(Math.min(opts.intervalMs, Math.max(0, deadline - Date.now())), undefined, {
            signal: opts.signal,
          }).catch(() => undefined);
        }
      }
    },
    { concurrency: opts.concurrency ?? REQUESTS_AT_ONCE },
  );

  // The API sends an unfinished condition only when a wait runs out: read those still open once
  // more, so the report says how they stand now ("still active", not the "pending" of creation).
  await pMap(
    groups,
    async (group) => {
      const left = group.filter((t) => open.has(t.conditionId));
      if (left.length === 0) return;
      try {
        for await (const { id, condition } of client.followOutcomes(
          left.map((t) => t.conditionId),
          { waitMs: 0, timeoutMs: LAST_LOOK_MS },
        )) {
          const tracked = open.get(id);
          if (!tracked || condition === null) continue;
          tracked.condition = condition;
          if (isFinal(condition.state))
            settle(tracked, resultFromCondition(tracked.server, condition));
        }
      } catch {
        // Unreachable now as well: the report says what was last seen, and why it is not fresher.
      }
    },
    { concurrency: opts.concurrency ?? REQUESTS_AT_ONCE },
  );

  const waited = opts.signal?.aborted
    ? 'when mctl stopped waiting'
    : `after ${formatDuration(opts.timeoutMs)}`;
  for (const tracked of [...open.values()]) {
    const state = tracked.condition?.state ?? 'pending';
    settle(tracked, {
      server: tracked.server,
      outcome: 'timeout',
      conditionId: tracked.conditionId,
      state,
      condition: tracked.condition,
      reason: tracked.pollError
        ? `lost track ${waited}: ${tracked.pollError}`
        : `still ${state} ${waited}`,
    });
  }
  return settled;
}
