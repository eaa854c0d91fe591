import type { JsMsg } from '@nats-io/jetstream';
import { ABANDONED_CREATE_MS } from '@switchboard/condition-store';
import type { SigningKeys } from '@switchboard/condition-signing';
import type { ConditionStore } from '@switchboard/condition-store';
import { parametersForLog } from '@switchboard/condition-types';
import type { Logger } from '@switchboard/logging';
import { Cancellation } from './cancellation';
import { claimCondition } from './claim';
import { handedBack, livenessLost, LostCondition } from './errors';
import { refuseCondition } from './refuse';
import type { HandlerRegistry } from './handler';
import { keepAlive, MessageHolder } from './keep-alive';
import { Progress } from './progress';
import { runHandler } from './run-handler';

/** A condition this replica is handling right now. */
export interface Job {
  id: string;
  /** As the message names it, for the logs. */
  server?: string;
  holder: MessageHolder;
  /** Aborted with HandBack when the controller shuts down before the job is done. */
  abort: AbortController;
  /**
   * Resolves with the condition's kind once this replica holds it; undefined when it does not
   * (final, missing, held elsewhere).
   */
  held: Promise<string | undefined>;
  /** Flipped by a cancel request (cancellable kinds only). */
  cancellation: Cancellation;
  /**
   * Whether the condition's record names this replica as its holder and nothing was written
   * since to let it go (its outcome, or `handed back`): what a shutdown without NATS leaves
   * to a takeover.
   */
  holds: boolean;
}

export interface DeliveryDeps {
  controllerId: string;
  store: ConditionStore;
  isAlive(controllerId: string, conditionId?: string, sinceMs?: number): Promise<boolean>;
  /** Jobs by condition id; shared with the controller (heartbeat, drain). */
  jobs: Map<string, Job>;
  handlers: HandlerRegistry;
  /** Interval of in-progress acks. */
  workingIntervalMs: number;
  /** Redelivery delay for a condition another live replica is working on. */
  heldRetryDelayMs: number;
  /** Apply the faults conditions carry (rivets' fault injection; off by default). */
  faults?: boolean;
  /**
   * How old a message without a record must be before it is dropped (default: longer than any
   * create takes, ABANDONED_CREATE_MS); a younger one is looked at again later.
   */
  missingRecordGraceMs?: number;
  /** True while this replica's heartbeat is too old to start work (liveness-watch.ts). */
  livenessLost?: () => boolean;
  /** The keys a record must be signed with to be run. */
  signing: SigningKeys;
  /** How far from its `updatedAt` NATS may have stored a record. */
  maxSkewMs: number;
  logger: Logger;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The condition id (and, for the logs, the server) from the message: the condition as it was
 * created.
 */
function conditionOf(msg: JsMsg): { id?: string; server?: string } {
  try {
    const body = JSON.parse(msg.string()) as { id?: unknown; target?: unknown };
    return {
      id: typeof body.id === 'string' && UUID.test(body.id) ? body.id.toLowerCase() : undefined,
      server: typeof body.target === 'string' ? body.target : undefined,
    };
  } catch {
    return {};
  }
}

/**
 * Acks and waits for JetStream to confirm; a lost confirmation only means a duplicate delivery
 * later, which is acked as final.
 */
async function ackFinal(holder: MessageHolder, logger: Logger): Promise<void> {
  try {
    await holder.msg.ackAck({ timeout: 5000 });
  } catch (err) {
    logger.warn(
      { event: 'ack.unconfirmed', err: (err as Error).message },
      'ack not confirmed; a redelivery will be acked as final',
    );
  }
}

/**
 * One delivered message, from "which condition is this" to its ack. The message is kept alive
 * with in-progress acks from the start (KV reads, waiting for the BMC, the action itself) and
 * acknowledged only once the condition's final state is in KV.
 */
export async function handleDelivery(msg: JsMsg, deps: DeliveryDeps): Promise<void> {
  const { id, server } = conditionOf(msg);
  const base = deps.logger.child({
    conditionId: id,
    server,
    subject: msg.subject,
    delivery: msg.info.deliveryCount,
  });
  if (!id) {
    base.error({ event: 'message.invalid' }, 'message holds no condition id; terminating it');
    msg.term();
    return;
  }
  const running = deps.jobs.get(id);
  if (running) {
    // Redelivered while we still work on it (our in-progress acks were late): answer to the newer
    // delivery.
    running.holder.replace(msg);
    base.warn(
      { event: 'message.redelivered_while_running' },
      'delivered again while running here; keeping the newer delivery alive',
    );
    return;
  }

  let settleHeld: (kind: string | undefined) => void = () => undefined;
  const held = new Promise<string | undefined>((resolve) => (settleHeld = resolve));
  const job: Job = {
    id,
    server,
    holder: new MessageHolder(msg),
    abort: new AbortController(),
    held,
    cancellation: new Cancellation(),
    holds: false,
  };
  deps.jobs.set(id, job);
  const alive = keepAlive(job.holder, deps.workingIntervalMs);
  try {
    await work(job, deps, base, settleHeld);
  } catch (err) {
    // KV unavailable or a bug in the claim: let JetStream bring it back later (to us or another
    // replica).
    base.error(
      { event: 'condition.error', err: (err as Error).message },
      'could not handle the condition; it will be redelivered',
    );
    job.holder.msg.nak(deps.heldRetryDelayMs);
  } finally {
    settleHeld(undefined);
    job.cancellation.end();
    alive.stop();
    deps.jobs.delete(id);
  }
}

async function work(
  job: Job,
  deps: DeliveryDeps,
  base: Logger,
  settleHeld: (kind: string | undefined) => void,
): Promise<void> {
  if (job.abort.signal.aborted) {
    job.holder.msg.nak();
    return;
  }
  if (deps.livenessLost?.()) {
    base.warn(
      { event: 'condition.deferred' },
      'heartbeat too old to take work; putting the message back',
    );
    job.holder.msg.nak(deps.heldRetryDelayMs);
    return;
  }
  const claim = await claimCondition(job.id, {
    store: deps.store,
    me: deps.controllerId,
    isAlive: deps.isAlive,
    signing: deps.signing,
    maxSkewMs: deps.maxSkewMs,
  });
  settleHeld(claim.kind === 'claimed' ? claim.stored.condition.kind : undefined);
  switch (claim.kind) {
    case 'missing': {
      // A create writes its record before its publish, so a young message without a record is
      // either a create being undone or a read served by a KV leader that has not caught up
      // after an election. Dropping it in the second case would strand an accepted condition:
      // only a message older than any create takes is dropped.
      const ageMs = Date.now() - Number(job.holder.msg.info.timestampNanos) / 1e6;
      if (ageMs < (deps.missingRecordGraceMs ?? ABANDONED_CREATE_MS)) {
        base.warn(
          { event: 'condition.record_not_found', ageMs },
          'no condition record yet; looking again later',
        );
        job.holder.msg.nak(deps.heldRetryDelayMs);
        return;
      }
      base.warn(
        { event: 'condition.missing', ageMs },
        'no condition record (its create was rolled back); dropping the message',
      );
      await ackFinal(job.holder, base);
      return;
    }
    case 'final':
      base.info(
        { event: 'condition.duplicate', state: claim.state },
        `condition is already ${claim.state}; acking a duplicate delivery`,
      );
      await ackFinal(job.holder, base);
      return;
    case 'held':
      base.info(
        { event: 'condition.held', holder: claim.holder },
        `held by live controller ${claim.holder}; leaving it to that replica`,
      );
      job.holder.msg.nak(deps.heldRetryDelayMs);
      return;
    case 'contended':
      base.warn(
        { event: 'condition.contended' },
        'lost the compare-and-set repeatedly; retrying later',
      );
      job.holder.msg.nak(deps.heldRetryDelayMs);
      return;
    case 'refused':
      if (await refuseCondition(claim, deps, base)) await ackFinal(job.holder, base);
      else job.holder.msg.nak(deps.heldRetryDelayMs);
      return;
    case 'unreadable':
      base.error(
        { event: 'condition.unreadable', reason: claim.reason },
        'the record is not a condition; nothing is run, terminating the message',
      );
      job.holder.msg.term();
      return;
    case 'claimed':
      break;
  }

  job.holds = true;
  const { condition } = claim.stored;
  const logger =
    base.bindings().server === condition.target ? base : base.child({ server: condition.target });
  logger.info(
    {
      event: claim.takeover ? 'condition.taken_over' : 'condition.started',
      kind: condition.kind,
      parameters: parametersForLog(condition.parameters),
      previousHolder: claim.previousHolder,
    },
    claim.takeover ? `taken over from ${claim.previousHolder ?? 'nobody'}` : 'started',
  );
  const progress = new Progress(deps.store, claim.stored, logger, job.abort.signal);
  try {
    const outcome = await runHandler(
      deps.handlers,
      {
        condition,
        progress,
        takeover: claim.takeover ? { previousRecords: claim.previousRecords } : undefined,
        signal: job.abort.signal,
        cancellation: job.cancellation,
        logger,
      },
      { faults: deps.faults },
    );
    await progress.finish(outcome);
    job.holds = false;
    await ackFinal(job.holder, logger);
  } catch (err) {
    if (err instanceof LostCondition) {
      job.holds = false;
      // Another replica holds it now and answers to the live delivery: no ack, no nak from us.
      logger.warn(
        { event: 'condition.lost' },
        'another controller took the condition over; stopping here',
      );
      return;
    }
    if (livenessLost(job.abort.signal)) {
      // Most likely KV cannot be written now either: the record is best effort, the redelivery
      // rule works from what the records say was sent.
      const why = (job.abort.signal.reason as Error).message;
      await progress
        .record(`stopped by controller ${deps.controllerId}: ${why}`, { evenIfAborted: true })
        .catch(() => undefined);
      job.holder.msg.nak(deps.heldRetryDelayMs);
      logger.warn({ event: 'condition.stopped' }, 'stopped: heartbeat too old; put back');
      return;
    }
    if (handedBack(job.abort.signal)) {
      await progress
        .record(`handed back by controller ${deps.controllerId}: shutting down`, {
          evenIfAborted: true,
        })
        .then(() => (job.holds = false))
        .catch((e) =>
          logger.warn(
            { event: 'handback.record_failed', err: (e as Error).message },
            'could not record the hand-back',
          ),
        );
      job.holder.msg.nak();
      logger.info({ event: 'condition.handed_back' }, 'handed back to the queue');
      return;
    }
    throw err;
  }
}
