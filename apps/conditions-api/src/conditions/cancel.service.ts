import { Inject, Injectable } from '@nestjs/common';
import { RequestError, TimeoutError } from '@nats-io/nats-core';
import {
  CancelReply,
  CancelRequest,
  Condition,
  cancelSubject,
  ESTATE_COMMAND_NAMES,
  isFinal,
} from '@switchboard/condition-types';
import { StaleWriteError } from '@switchboard/condition-store';
import type { Logger } from '@switchboard/logging';
import { ApiError } from '../errors/api-error';
import { clip } from '../text/clip';
import { NatsLink } from '../nats/nats-link';
import { LOGGER } from '../core/tokens';

/** How long the controller running a condition has to acknowledge a cancel request. */
export const CANCEL_ACK_TIMEOUT_MS = 5000;

/** Reads and decisions before giving up on a condition that keeps changing under us. */
const ATTEMPTS = 3;

export type CancelOutcome =
  /** It was pending: it is failed now, its claim released; no controller will run it. */
  | { outcome: 'cancelled'; condition: Condition }
  /** It was active: the controller running it acknowledged, and is stopping it. */
  | { outcome: 'cancel_requested'; condition: Condition };

/** What the controller running a condition said to a cancel request, if any answered. */
interface ControllerAnswer {
  acknowledged: boolean;
  /** Why it did not stop the condition (`error` of `{ ok: false, error }`), when it said. */
  reason?: string;
}

/**
 * `{ ok: true }` when the controller had the condition and is stopping it; anything else is not an
 * acknowledgement.
 */
function readAnswer(data: Uint8Array): ControllerAnswer {
  let body: unknown;
  try {
    body = JSON.parse(new TextDecoder().decode(data));
  } catch {
    return { acknowledged: false, reason: 'its answer was not JSON' };
  }
  const reply = CancelReply.safeParse(body);
  if (!reply.success) return { acknowledged: false, reason: 'its answer was not a cancel reply' };
  return reply.data.ok
    ? { acknowledged: true }
    : { acknowledged: false, reason: clip(reply.data.error, 300) };
}

/**
 * Cancelling a condition. Pending: failed at once, by compare-and-set, so that a controller
 * starting it at the same moment wins or loses cleanly (and we decide again on the state it
 * left). Active: only the controller running it can stop it, so it is asked over core NATS
 * and the answer says whether it will. A serverControl in progress is not interrupted: a
 * BMC half-way through a power or boot change is worse off than one that finishes.
 */
@Injectable()
export class CancelService {
  constructor(
    private readonly nats: NatsLink,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  async cancel(id: string, by: string): Promise<CancelOutcome> {
    const store = this.nats.available();
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const stored = await store.getWithRevision(id);
      if (!stored) throw ApiError.notFound(`condition ${id} not found`, 'unknown_condition');
      const { condition, revision } = stored;
      if (isFinal(condition.state))
        throw ApiError.of(409, `condition ${id} already ${condition.state}`, {
          code: 'not_cancellable',
        });

      if (condition.state === 'pending') {
        try {
          const failed = await store.update(
            id,
            'failed',
            { record: `cancelled by ${by}`, error: `cancelled by ${by}` },
            revision,
          );
          return { outcome: 'cancelled', condition: failed.condition };
        } catch (err) {
          // a controller started it meanwhile: decide again
          if (err instanceof StaleWriteError) continue;
          throw err;
        }
      }

      if (
        condition.kind === 'action' &&
        ESTATE_COMMAND_NAMES.includes(condition.parameters.command)
      )
        throw ApiError.of(
          409,
          `condition ${id} is ${condition.parameters.command} in progress (a built-in estate ` +
            'command); a machine-type change stopped half-way could leave a node off',
        );
      if (condition.kind !== 'action') {
        // A power action or a machine-type change stopped half-way could leave a node off.
        const an = `${condition.kind === 'estate' ? 'an' : 'a'} ${condition.kind}`;
        throw ApiError.of(
          409,
          `condition ${id} is ${an} in progress (${condition.parameters.action}); ` +
            `${an} in progress cannot be cancelled safely`,
          { code: 'not_cancellable' },
        );
      }
      const answer = await this.askController(id, by);
      const now = (await store.get(id)) ?? condition;
      if (answer?.acknowledged) return { outcome: 'cancel_requested', condition: now };
      if (isFinal(now.state))
        throw ApiError.of(409, `condition ${id} already ${now.state}`, { code: 'not_cancellable' });
      const holder = now.controller ? ` (held by controller ${clip(now.controller, 100)})` : '';
      const why =
        answer === undefined
          ? ` within ${CANCEL_ACK_TIMEOUT_MS / 1000} s`
          : answer.reason
            ? `: ${answer.reason}`
            : '';
      throw ApiError.of(
        409,
        `no controller acknowledged the cancel of condition ${id}${holder}${why}`,
        { code: 'not_cancellable' },
      );
    }
    throw ApiError.of(
      409,
      `condition ${id} kept changing state while it was being cancelled; look at it and try again`,
      { code: 'not_cancellable' },
    );
  }

  /** The answer of the controller running the condition; undefined when none answered in time. */
  private async askController(id: string, by: string): Promise<ControllerAnswer | undefined> {
    const request: CancelRequest = { conditionId: id, by };
    try {
      const reply = await this.nats.nc.request(cancelSubject(id), JSON.stringify(request), {
        timeout: CANCEL_ACK_TIMEOUT_MS,
      });
      const answer = readAnswer(reply.data);
      if (!answer.acknowledged)
        this.log.info(
          { event: 'condition.cancel_refused', conditionId: id, by, reason: answer.reason },
          'the controller did not stop the condition',
        );
      return answer;
    } catch (err) {
      // No controller subscribed for it, or none answered in time: not acknowledged, not an outage.
      if (err instanceof TimeoutError) return undefined;
      if (err instanceof RequestError && err.isNoResponders())
        return { acknowledged: false, reason: 'no controller is listening for cancel requests' };
      throw err;
    }
  }
}
