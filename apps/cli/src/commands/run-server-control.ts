import type {
  ConditionKind,
  ParametersOf,
  ServerControlParameters,
} from '@switchboard/condition-types';
import { foldResults } from '../output/fold-results';
import { resultsToJson } from '../output/json';
import { startProgress } from '../output/progress';
import { exitCodeFor } from '../server-results';
import type { ServerResult } from '../server-results';
import type { Session } from '../session';
import { submitConditions } from '../submit';
import { waitForOutcomes } from '../wait-for-outcome';
import type { WaitFlags } from './shared-options';

export const DEFAULT_POLL_INTERVAL_MS = 500;

/**
 * Queues serverControl work on the targets, waits for the outcomes unless told not to, prints them.
 */
export async function runServerControl(
  session: Session,
  targets: string,
  parameters: ServerControlParameters,
  flags: WaitFlags,
): Promise<number> {
  const results = await submitAndWait(session, 'serverControl', targets, parameters, flags);
  session.out(session.json ? resultsToJson(results) : foldResults(results).join('\n'));
  return exitCodeFor(results);
}

/** Queues conditions of one kind on the targets and waits for their outcomes unless told not to. */
export async function submitAndWait<K extends ConditionKind>(
  session: Session,
  kind: K,
  targets: string,
  parameters: ParametersOf<K>,
  flags: WaitFlags,
): Promise<ServerResult[]> {
  const client = session.client();
  const started = Date.now();
  const { settled, accepted } = await submitConditions(client, kind, targets, parameters);

  let results: ServerResult[];
  if (!flags.wait) {
    results = [
      ...settled,
      ...accepted.map((a): ServerResult => ({
        server: a.server,
        outcome: 'queued',
        conditionId: a.conditionId,
        state: a.condition?.state,
        condition: a.condition,
      })),
    ];
  } else {
    const progress = startProgress(session.io.stderr, accepted.length);
    try {
      const waited = await waitForOutcomes(client, accepted, {
        timeoutMs: flags.timeout * 1000,
        startedAt: started,
        intervalMs: session.io.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
        onSettled: () => progress.tick(),
      });
      results = [...settled, ...waited];
    } finally {
      progress.stop();
    }
  }

  return results;
}
