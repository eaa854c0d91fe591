import type { ServerControlParameters } from '@switchboard/condition-types';
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

/** Queues serverControl work on the targets, waits for the outcomes unless told not to, prints them. */
export async function runServerControl(
  session: Session,
  targets: string,
  parameters: ServerControlParameters,
  flags: WaitFlags,
): Promise<number> {
  const client = session.client();
  const started = Date.now();
  const { settled, accepted } = await submitConditions(
    client,
    'serverControl',
    targets,
    parameters,
  );

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

  session.out(session.json ? resultsToJson(results) : foldResults(results).join('\n'));
  return exitCodeFor(results);
}
