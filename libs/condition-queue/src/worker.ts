import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream } from '@nats-io/jetstream';
import type { JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { DEFAULT_MAX_SKEW_MS, SigningKeys } from '@switchboard/condition-signing';
import { ConditionStore } from '@switchboard/condition-store';
import { CONTROLLER_CONSUMER, STREAM_CONDITIONS } from '@switchboard/condition-types';
import type { Logger } from '@switchboard/logging';
import type { Buckets } from '@switchboard/nats';
import { listenForCancels } from './cancel-listener';
import { handleDelivery, Job } from './delivery';
import { HandBack } from './errors';
import type { HandlerRegistry } from './handler';
import { Heartbeat, isAlive } from './heartbeat';
import { watchLiveness } from './liveness-watch';
import { PullLoop } from './pull-loop';
import { Slots } from './slots';

export interface WorkerOptions {
  nc: NatsConnection;
  buckets: Buckets;
  /** This replica's id: its heartbeat key and the `controller` of the conditions it holds. */
  id: string;
  handlers: HandlerRegistry;
  /** Conditions worked on at once. */
  fanout: number;
  /** Renewal of this replica's heartbeat. */
  heartbeatIntervalMs: number;
  /** A replica whose heartbeat is older than this is dead: its conditions are taken over. */
  heartbeatExpiryMs: number;
  /** Interval of in-progress acks while a condition runs. */
  workingIntervalMs: number;
  /** Redelivery delay of a condition that a live replica holds. */
  heldRetryDelayMs: number;
  /** How long one pull request stays open (at least 1000). */
  pullExpiresMs: number;
  /** Apply the faults conditions carry (rivets' fault injection; off by default). */
  faults?: boolean;
  /** Age at which a message whose record cannot be read is dropped (see delivery.ts). */
  missingRecordGraceMs?: number;
  /**
   * Whether NATS is reachable now (the connection's status events). Stopping without it, nothing
   * can be written: the hand-back only stops the work and does not wait for writes.
   */
  natsConnected?: () => boolean;
  /**
   * The keys every record it runs must be signed with, and that its own writes are signed with
   * (libs/condition-signing): a record without a valid signature is failed, never run.
   */
  signing: SigningKeys;
  /** How far from its `updatedAt` NATS may have stored a record (default 60 000). */
  maxClockSkewMs?: number;
  logger: Logger;
}

export interface Worker {
  /** Ids of the conditions this replica handles right now. */
  inFlight(): string[];
  /**
   * Stops pulling, lets in-flight work finish within `graceMs`, then deletes the heartbeat and
   * hands the rest back (each handler's signal is aborted with HandBack). Leaves the
   * connection open for the caller to flush and close. Bounded however NATS is: the steps after
   * the grace take at most STOP_AFTER_GRACE_MS. Called again with a shorter grace (a second
   * signal), it cuts the grace still running short.
   */
  stop(graceMs: number): Promise<StopReport>;
}

/** What a stop left behind. */
export interface StopReport {
  /** Conditions whose hand-back was recorded (another replica takes them over at once). */
  handedBack: string[];
  /**
   * Conditions still recorded as held by this replica, with nothing written to let them go
   * (NATS unreachable): another replica takes them over once this replica's heartbeat is older
   * than its expiry and their messages come back.
   */
  leftHeld: string[];
}

/** The ack subject of a delivery (JsMsgImpl has it; the JsMsg interface does not say so). */
function replyOf(msg: JsMsg): string | undefined {
  const reply = (msg as unknown as { reply?: unknown }).reply;
  return typeof reply === 'string' && reply !== '' ? reply : undefined;
}

/** How long deleting the heartbeat may take (a KV request's timeout is 5 s). */
const HEARTBEAT_STOP_MS = 5000;
/** How long hand-back may take once tasks are told to stop (they kill their tool, record it). */
const HAND_BACK_WAIT_MS = 10_000;
/** The same without NATS: time for tasks to stop their tools; nothing can be recorded. */
const UNREACHABLE_HAND_BACK_WAIT_MS = 3000;
/** The longest a stop takes after its grace, whatever NATS does. */
export const STOP_AFTER_GRACE_MS = HEARTBEAT_STOP_MS + HAND_BACK_WAIT_MS;

/** Whether `promise` settled within `ms` (false also when `cut` aborts first). */
async function settledWithin(
  promise: Promise<unknown>,
  ms: number,
  cut?: AbortSignal,
): Promise<boolean> {
  const timer = new AbortController();
  const signal = cut ? AbortSignal.any([timer.signal, cut]) : timer.signal;
  const done = await Promise.race([
    promise.then(
      () => true,
      () => true,
    ),
    sleep(Math.max(0, ms), false, { signal }).catch(() => false),
  ]);
  timer.abort();
  return done;
}

/**
 * Works conditions off the queue for the handlers of `handlers`: writes this replica's
 * heartbeat, pulls exactly as many messages as there are free slots, claims each condition
 * (or takes it over from a replica without heartbeat), keeps its message alive, hands it to
 * the handler of its kind, writes the outcome and acks. Answers cancel requests for the
 * cancellable kinds. Any number of replicas share the durable consumer.
 */
export async function startWorker(opts: WorkerOptions): Promise<Worker> {
  const { id, logger, buckets } = opts;
  const store = new ConditionStore(opts.nc, buckets, { signing: opts.signing });
  const consumer = await jetstream(opts.nc).consumers.get(STREAM_CONDITIONS, CONTROLLER_CONSUMER);
  const jobs = new Map<string, Job>();
  const tasks = new Set<Promise<void>>();
  const heartbeat = new Heartbeat(
    buckets.controllers,
    { id, host: hostname(), pid: process.pid, startedAt: new Date().toISOString() },
    () => [...jobs.values()].map((job) => ({ id: job.id, reply: replyOf(job.holder.msg) })),
    opts.heartbeatIntervalMs,
    logger,
  );
  const liveness = watchLiveness({
    heartbeat,
    intervalMs: opts.heartbeatIntervalMs,
    expiryMs: opts.heartbeatExpiryMs,
    jobs,
    logger,
  });
  const leftBehind = await heartbeat.start().catch((err) => {
    liveness.stop();
    throw err;
  });

  const deliveryDeps = {
    controllerId: id,
    store,
    isAlive: (other: string, conditionId?: string, sinceMs?: number) =>
      isAlive(buckets.controllers, other, opts.heartbeatExpiryMs, conditionId, sinceMs),
    jobs,
    handlers: opts.handlers,
    workingIntervalMs: opts.workingIntervalMs,
    heldRetryDelayMs: opts.heldRetryDelayMs,
    faults: opts.faults ?? false,
    livenessLost: liveness.lost,
    missingRecordGraceMs: opts.missingRecordGraceMs,
    signing: opts.signing,
    maxSkewMs: opts.maxClockSkewMs ?? DEFAULT_MAX_SKEW_MS,
    logger,
  };
  const cancels = listenForCancels(opts.nc, jobs, opts.handlers.cancellableKinds, logger);

  const slots = new Slots(opts.fanout);
  const onMessage = (msg: JsMsg): void => {
    const task = handleDelivery(msg, deliveryDeps)
      .catch((err) =>
        logger.error({ event: 'delivery.crashed', err }, 'unexpected error handling a message'),
      )
      .finally(() => {
        slots.release(1);
        tasks.delete(task);
      });
    tasks.add(task);
  };
  const pull = new PullLoop(consumer, slots, onMessage, {
    maxBatch: opts.fanout,
    expiresMs: Math.max(1000, opts.pullExpiresMs),
    logger,
  });
  pull.start();
  // An earlier life of this id (a restart with the same CONTROLLER_ID) held these: nak their
  // deliveries so JetStream redelivers them now, not after the ack wait; the claim sees our
  // own id and resumes them (the redelivery rule decides what is repeated).
  const reclaim = Object.entries(leftBehind);
  if (reclaim.length > 0) {
    for (const [, reply] of reclaim) opts.nc.publish(reply, '-NAK');
    logger.info(
      { event: 'controller.resuming', conditions: reclaim.map(([conditionId]) => conditionId) },
      `resuming ${reclaim.length} conditions this controller id held before its restart`,
    );
  }

  let stopping: Promise<StopReport> | undefined;
  let stoppingGraceMs = Infinity;
  const cutGrace = new AbortController();
  const stop = (graceMs: number): Promise<StopReport> => {
    // A second signal (a shorter grace) ends the grace still running.
    if (stopping && graceMs < stoppingGraceMs) cutGrace.abort();
    stoppingGraceMs = Math.min(stoppingGraceMs, graceMs);
    stopping ??= (async () => {
      logger.info(
        { event: 'controller.draining', inFlight: jobs.size, graceMs },
        'stopping: no more pulls, finishing in-flight work',
      );
      // Every job that may hold a condition: no message is handed to a new one from now on.
      const seen = [...jobs.values()];
      const pulling = pull.stop();
      const finished =
        jobs.size === 0 || (await settledWithin(Promise.all([...tasks]), graceMs, cutGrace.signal));
      // Heartbeat first: whoever gets a handed-back message must see us gone and take it at once.
      // Bounded: without NATS it cannot be deleted (it expires on its own), so it is not waited
      // for then, nor are the hand-back records, which cannot be written either.
      const reachable = opts.natsConnected?.() ?? true;
      const afterGrace =
        Date.now() + (reachable ? STOP_AFTER_GRACE_MS : UNREACHABLE_HAND_BACK_WAIT_MS);
      liveness.stop();
      const heartbeatStopped = heartbeat.stop();
      if (reachable) await settledWithin(heartbeatStopped, HEARTBEAT_STOP_MS);
      const handingBack = [...jobs.keys()];
      if (!finished) {
        logger.warn(
          { event: 'controller.handing_back', conditions: handingBack },
          `handing ${jobs.size} conditions back`,
        );
        for (const job of jobs.values()) job.abort.abort(new HandBack());
      }
      // Pull requests still open end at their expiry; hand-backs are written meanwhile.
      await settledWithin(Promise.all([pulling, ...tasks]), afterGrace - Date.now());
      cancels.unsubscribe();
      const leftHeld = seen.filter((job) => job.holds).map((job) => job.id);
      return {
        handedBack: handingBack.filter((id) => !leftHeld.includes(id)),
        leftHeld,
      };
    })();
    return stopping;
  };
  return { inFlight: () => [...jobs.keys()], stop };
}
