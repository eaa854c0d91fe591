import type { Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import { CANCEL_SUBJECT_PREFIX, CancelReply, CancelRequest } from '@switchboard/condition-types';
import type { Logger } from '@switchboard/logging';
import type { Cancellation } from './cancellation';

/** What the listener needs to know of a condition this replica handles. */
export interface CancellableJob {
  server?: string;
  /**
   * Resolves with the condition's kind once this replica holds it, or undefined if it turns out not
   * to.
   */
  held: Promise<string | undefined>;
  cancellation: Cancellation;
  /**
   * False once its outcome (or hand-back) is written: from then on this replica does not run it,
   * although it may still be acking its message.
   */
  holds?: boolean;
}

/**
 * Answers cancel requests (core NATS request/reply on `switchboard.cancel.<id>`). Every replica
 * hears every request; only the one holding the condition answers, so the requester gets one
 * answer or, when nobody runs it, none (a timeout). A condition still being claimed here is
 * answered once the claim is settled, never before: the claim may go to another replica.
 * Only conditions of the `cancellable` kinds are stopped; the others are refused, saying so.
 */
export function listenForCancels(
  nc: NatsConnection,
  jobs: ReadonlyMap<string, CancellableJob>,
  cancellable: readonly string[],
  logger: Logger,
): Subscription {
  return nc.subscribe(`${CANCEL_SUBJECT_PREFIX}.>`, {
    callback: (err, msg) => {
      if (err) {
        logger.warn(
          { event: 'cancel.subscription_error', err: err.message },
          'cancel subscription error',
        );
        return;
      }
      answer(msg, jobs, cancellable, logger).catch((e: unknown) =>
        logger.error({ event: 'cancel.failed', err: e }, 'could not handle a cancel request'),
      );
    },
  });
}

async function answer(
  msg: Msg,
  jobs: ReadonlyMap<string, CancellableJob>,
  cancellable: readonly string[],
  logger: Logger,
): Promise<void> {
  const id = msg.subject.slice(CANCEL_SUBJECT_PREFIX.length + 1).toLowerCase();
  const job = jobs.get(id);
  if (!job) return; // not ours: another replica may run it
  const kind = await job.held;
  // Not held here, or no longer: its outcome is written, and the requester reads it there.
  if (kind === undefined || job.holds === false) return;
  const log = logger.child({ conditionId: id, server: job.server });
  const reply = (body: CancelReply): void => {
    msg.respond(JSON.stringify(body));
  };

  let request: CancelRequest;
  try {
    request = CancelRequest.parse(msg.json());
  } catch (err) {
    log.warn({ event: 'cancel.invalid', err: (err as Error).message }, 'invalid cancel request');
    reply({
      ok: false,
      error: `invalid cancel request for condition ${id}: ${(err as Error).message}`,
    });
    return;
  }
  if (request.conditionId.toLowerCase() !== id) {
    reply({
      ok: false,
      error: `cancel request on ${msg.subject} names condition ${request.conditionId}`,
    });
    return;
  }
  if (!cancellable.includes(kind)) {
    log.info(
      { event: 'cancel.refused', by: request.by, kind },
      `cancel by ${request.by} refused: a ${kind} condition is not cancelled once running`,
    );
    reply({
      ok: false,
      error: `condition ${id} is a ${kind} condition: ${onlyThese(cancellable)}`,
    });
    return;
  }
  if (job.cancellation.request(request.by) === 'ended') {
    log.info(
      { event: 'cancel.too_late', by: request.by },
      `cancel by ${request.by} came after the script ended`,
    );
    reply({
      ok: false,
      error: `condition ${id}: the command already ended; its outcome is being recorded`,
    });
    return;
  }
  log.info(
    { event: 'cancel.requested', by: request.by },
    `cancelled by ${request.by}: stopping the script`,
  );
  reply({ ok: true });
}

/** "only actions can be cancelled while they run", from the kinds that can. */
function onlyThese(kinds: readonly string[]): string {
  if (kinds.length === 0) return 'no condition can be cancelled while it runs';
  return `only ${kinds.map((k) => `${k}s`).join(' and ')} can be cancelled while they run`;
}
