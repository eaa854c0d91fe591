import type { Logger } from '@switchboard/logging';
import type { Job } from './delivery';
import { LivenessLost } from './errors';

export interface LivenessWatchOptions {
  /** This replica's heartbeat: how long ago its last stored beat was sent. */
  heartbeat: { silentMs(): number };
  intervalMs: number;
  /** The others take our conditions over once our heartbeat is this old. */
  expiryMs: number;
  jobs: Map<string, Job>;
  logger: Logger;
}

export interface LivenessWatch {
  /** Whether this replica must not start or go on with work now. */
  lost(): boolean;
  stop(): void;
}

/**
 * Stops this replica's work before the others may take it over. A replica whose heartbeat
 * cannot be renewed (the heartbeat bucket's leader is being elected, the link to NATS is
 * slow) still runs its conditions; once the heartbeat is older than the others' expiry, any
 * of them may claim the same conditions and act on the same BMCs. So a little before that
 * (`expiryMs` less a margin of one beat, at most a quarter of the expiry) every running job
 * is aborted with LivenessLost, and new deliveries are put back until a beat is stored again.
 * The redelivery rule then decides, from the records, what the next holder may repeat.
 */
export function watchLiveness(opts: LivenessWatchOptions): LivenessWatch {
  if (!(opts.expiryMs >= 2 * opts.intervalMs && opts.intervalMs > 0))
    throw new Error(
      `heartbeat expiry (${opts.expiryMs} ms) must be at least twice its interval ` +
        `(${opts.intervalMs} ms)`,
    );
  const margin = Math.min(opts.intervalMs, opts.expiryMs / 4);
  const limit = opts.expiryMs - margin;
  let lost = false;
  const check = (): void => {
    const silent = opts.heartbeat.silentMs();
    if (silent < limit) {
      if (lost)
        opts.logger.info({ event: 'liveness.regained' }, 'heartbeat renewed again; taking work');
      lost = false;
      return;
    }
    if (!lost)
      opts.logger.warn(
        { event: 'liveness.lost', silentMs: silent, jobs: [...opts.jobs.keys()] },
        `heartbeat not renewed for ${silent} ms: stopping all work before another controller ` +
          'may take it over',
      );
    lost = true;
    for (const job of opts.jobs.values())
      if (!job.abort.signal.aborted) job.abort.abort(new LivenessLost(silent));
  };
  const timer = setInterval(check, Math.max(25, margin / 4));
  timer.unref();
  return {
    lost: () => {
      check();
      return lost;
    },
    stop: () => clearInterval(timer),
  };
}
