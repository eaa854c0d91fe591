import type { OutputLine } from '@switchboard/condition-types';
import { foldNames } from '@switchboard/inventory/node-ranges';
import type { ApiClient } from '../api-client';
import type { Io } from '../io';
import pMap from 'p-map';
import type { ServerResult } from '../server-results';
import { waitForOutcomes } from '../wait-for-outcome';
import type { PendingCondition } from '../wait-for-outcome';
import { followOutput } from './follow-output';
import { watchInterrupts } from './interrupts';

/** After a cancel, how long to wait for the conditions to end before reporting them as they are. */
export const CANCEL_GRACE_MS = 15_000;
/** Once every condition is final, how long its last lines may take to arrive. */
export const OUTPUT_GRACE_MS = 10_000;
/** Cancel requests in flight at once. */
const CANCELS_AT_ONCE = 16;

export interface FollowRunOptions {
  /** Overall bound on the wait (from `startedAt`); unfinished nodes are reported as `timeout`. */
  timeoutMs: number;
  startedAt: number;
  intervalMs: number;
  onLine(line: OutputLine): void;
  onSettled?(result: ServerResult): void;
}

export interface FollowedRun {
  results: ServerResult[];
  /** Ctrl-C was pressed twice or more: cancelled (or abandoned); mctl exits 130. */
  interrupted: boolean;
}

type RunClient = Pick<ApiClient, 'openStream' | 'baseUrl' | 'followOutcomes' | 'cancelCondition'>;

/**
 * Follows accepted action conditions to their end: their live output (GET …/output, NDJSON)
 * and their outcomes (GET /outcomes), side by side. Ctrl-C escalates (see interrupts.ts): the first
 * says what still runs, the second cancels it (DELETE /conditions/{id}) and waits up to
 * CANCEL_GRACE_MS for it to stop, the third stops waiting at once.
 */
export async function followRun(
  client: RunClient,
  io: Io,
  accepted: readonly PendingCondition[],
  opts: FollowRunOptions,
): Promise<FollowedRun> {
  const finished = new Set<string>();
  const running = () => accepted.filter((a) => !finished.has(a.conditionId));
  const stopWaiting = new AbortController();
  const stopOutput = new AbortController();
  const timers: NodeJS.Timeout[] = [];
  const say = (text: string) => io.stderr.write(`${text}\n`);

  const interrupts = watchInterrupts(io.onInterrupt, {
    offer: () => {
      const left = running();
      if (left.length === 0) return stopWaiting.abort();
      say(
        `\nmctl: still running on ${foldNames(left.map((a) => a.server))} ` +
          `(${left.length} of ${accepted.length}); press Ctrl-C again to cancel, a third ` +
          `time to stop waiting`,
      );
    },
    cancel: () => {
      const left = running();
      if (left.length === 0) return stopWaiting.abort();
      say(`\nmctl: cancelling on ${foldNames(left.map((a) => a.server))}...`);
      void cancelAll(client, left, say);
      timers.push(setTimeout(() => stopWaiting.abort(), CANCEL_GRACE_MS));
    },
    abandon: () => {
      const left = running();
      if (left.length > 0)
        say(
          `\nmctl: stopped waiting; ${foldNames(left.map((a) => a.server))} may still be ` +
            `running (mctl power --action-status shows how they end)`,
        );
      stopWaiting.abort();
    },
  });
  stopWaiting.signal.addEventListener('abort', () => stopOutput.abort(), { once: true });

  try {
    const output = followOutput(
      client,
      accepted.map((a) => a.conditionId),
      {
        signal: stopOutput.signal,
        retryDelayMs: opts.intervalMs,
        deadline: opts.startedAt + opts.timeoutMs,
        onLine: opts.onLine,
        onReconnect: (reason) => say(`mctl: warning: reconnecting to the output stream: ${reason}`),
      },
    ).catch((err: unknown) => {
      // The outcomes still count without the output: say what is missing and go on waiting.
      say(`mctl: warning: no live output: ${(err as Error).message}`);
    });
    const results = await waitForOutcomes(client, accepted, {
      timeoutMs: opts.timeoutMs,
      startedAt: opts.startedAt,
      intervalMs: opts.intervalMs,
      signal: stopWaiting.signal,
      onSettled: (result) => {
        if (result.conditionId) finished.add(result.conditionId);
        opts.onSettled?.(result);
      },
    });
    // Every condition is final (or no longer waited for): its last lines are on their way.
    timers.push(setTimeout(() => stopOutput.abort(), OUTPUT_GRACE_MS));
    await output;
    return {
      results,
      interrupted:
        interrupts.presses >= 2 || (interrupts.presses === 1 && stopWaiting.signal.aborted),
    };
  } finally {
    timers.forEach(clearTimeout);
    interrupts.dispose();
    // Also when the wait failed (a 401 half-way): no stream may outlive the command.
    stopOutput.abort();
  }
}

async function cancelAll(
  client: Pick<ApiClient, 'cancelCondition'>,
  conditions: readonly PendingCondition[],
  say: (text: string) => void,
): Promise<void> {
  await pMap(
    conditions,
    async ({ server, conditionId }) => {
      try {
        const answer = await client.cancelCondition(conditionId);
        if (answer.outcome === 'refused' || answer.outcome === 'unknown')
          say(`mctl: could not cancel on ${server}: ${answer.message}`);
      } catch (err) {
        say(`mctl: could not cancel on ${server}: ${(err as Error).message}`);
      }
    },
    { concurrency: CANCELS_AT_ONCE },
  );
}
