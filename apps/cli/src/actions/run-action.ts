import type { CommandSummary } from '@switchboard/condition-types';
import { INTERRUPTED_EXIT, ExitCode } from '../exit-codes';
import { actionResultsToJson, failureSummary } from '../output/action-report';
import { foldOutputs } from '../output/dshbak';
import { foldResults } from '../output/fold-results';
import { resultsToJson } from '../output/json';
import { liveLines } from '../output/live-lines';
import { silentProgress, startProgress } from '../output/progress';
import type { ServerResult } from '../server-results';
import type { Session } from '../session';
import { submitConditions } from '../submit';
import { CapturedOutput } from './captured-output';
import { confirmRun } from './confirm-run';
import { runExitStatus } from './exit-status';
import { followRun } from './follow-run';
import type { FollowedRun } from './follow-run';
import { choosePresentation } from './presentation';

/**
 * Time a condition may spend queued before its script starts, on top of the command's own timeout.
 */
export const QUEUE_SLACK_SECONDS = 300;
const DEFAULT_POLL_INTERVAL_MS = 500;

export interface RunRequest {
  command: CommandSummary;
  /** The range expression the conditions are created for. */
  targets: string;
  args: string[];
  yes: boolean;
  wait: boolean;
  /** Overrides the default bound (the command's timeout + QUEUE_SLACK_SECONDS). */
  timeoutSeconds?: number;
  stream?: boolean;
  fold?: boolean;
}

/**
 * `mctl run`: asks the confirmation question, queues one action condition per node, shows the
 * output (see presentation.ts), reports what went wrong and the scripts' exit statuses on
 * stderr, and exits 0 when every node succeeded, 1 when not (130 after a cancel by Ctrl-C).
 */
export async function runAction(session: Session, req: RunRequest): Promise<number> {
  const { io } = session;
  const client = session.client();
  if (!(await confirmRun(client, io, req.command, req.targets, req.yes))) {
    io.stderr.write('mctl: not confirmed; nothing was run\n');
    return ExitCode.NotAllSucceeded;
  }
  const started = Date.now();
  const { settled, accepted } = await submitConditions(client, 'action', req.targets, {
    command: req.command.name,
    arguments: req.args,
  });

  if (!req.wait) {
    const queued = accepted.map((a): ServerResult => ({
      server: a.server,
      outcome: 'queued',
      conditionId: a.conditionId,
      state: a.condition?.state,
      condition: a.condition,
    }));
    const results = [...settled, ...queued];
    session.out(session.json ? resultsToJson(results) : foldResults(results).join('\n'));
    return runExitStatus(results);
  }

  const presentation = choosePresentation(
    { json: session.json, stream: req.stream, fold: req.fold },
    io.stdout.isTTY === true,
    settled.length + accepted.length,
  );
  const captured = new CapturedOutput();
  const live =
    presentation === 'live' || presentation === 'plain'
      ? liveLines(io, presentation === 'live')
      : undefined;
  // Only while nothing else is written to stderr: folded and JSON output come at the end.
  const progress = live ? silentProgress : startProgress(io.stderr, accepted.length, 'running');
  let followed: FollowedRun;
  try {
    followed = await followRun(client, io, accepted, {
      timeoutMs: (req.timeoutSeconds ?? req.command.timeout_seconds + QUEUE_SLACK_SECONDS) * 1000,
      startedAt: started,
      intervalMs: io.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
      onLine: (line) => (live ? live(line) : captured.add(line)),
      onSettled: () => progress.tick(),
    });
  } finally {
    progress.stop();
  }
  const results = [...settled, ...followed.results];

  if (presentation === 'json') {
    session.out(actionResultsToJson(results, captured));
  } else {
    if (presentation === 'folded')
      io.stdout.write(
        foldOutputs(results.map((r) => ({ server: r.server, lines: captured.of(r.conditionId) }))),
      );
    io.stderr.write(failureSummary(results));
  }
  return followed.interrupted ? INTERRUPTED_EXIT : runExitStatus(results);
}
