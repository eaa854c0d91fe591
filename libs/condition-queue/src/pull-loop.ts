import type { Consumer, ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@switchboard/logging';
import { RepeatedWarning } from './repeated-warning';
import type { Slots } from './slots';

export interface PullLoopOptions {
  /** Largest batch one pull request asks for. */
  maxBatch: number;
  /** How long one pull request waits on the server for messages (JetStream minimum 1 s). */
  expiresMs: number;
  logger: Logger;
}

/**
 * Asks JetStream for exactly as many messages as there are free slots, and hands each one
 * over with its slot already taken: the handler releases the slot when it is done with the
 * message. Several pull requests may be outstanding at once (one per time slots freed up),
 * so a slot that frees up is filled without waiting for an earlier request to expire.
 */
export class PullLoop {
  private stopping = false;
  private readonly stopSignal = new AbortController();
  private readonly fetches = new Set<Promise<void>>();
  private loop: Promise<void> | undefined;
  private readonly pullFailed: RepeatedWarning;
  private readonly interrupted: RepeatedWarning;

  constructor(
    private readonly consumer: Consumer,
    private readonly slots: Slots,
    private readonly onMessage: (msg: JsMsg) => void,
    private readonly opts: PullLoopOptions,
  ) {
    this.pullFailed = new RepeatedWarning(opts.logger, 'pull.failed');
    this.interrupted = new RepeatedWarning(opts.logger, 'pull.interrupted');
  }

  start(): void {
    this.loop ??= this.run();
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      let reserved: number;
      try {
        reserved = await this.slots.takeAvailable(this.opts.maxBatch, this.stopSignal.signal);
      } catch {
        break; // stopping
      }
      let messages: ConsumerMessages;
      try {
        messages = await this.consumer.fetch({
          max_messages: reserved,
          expires: this.opts.expiresMs,
        });
        failures = 0;
        this.pullFailed.worked('pull requests work again');
      } catch (err) {
        this.slots.release(reserved);
        failures++;
        const delay = Math.min(5000, 250 * 2 ** Math.min(failures, 5));
        this.pullFailed.failed(err, 'pull request failed', { retryInMs: delay });
        await sleep(delay, undefined, { signal: this.stopSignal.signal }).catch(() => undefined);
        continue;
      }
      const consuming = this.consume(messages, reserved);
      this.fetches.add(consuming);
      void consuming.finally(() => this.fetches.delete(consuming));
    }
  }

  private async consume(messages: ConsumerMessages, reserved: number): Promise<void> {
    let used = 0;
    // The server ends a pull request at `expiresMs`. The client's own end of it can hang: a
    // request sent to a NATS server that then died is not answered, and the client watches
    // for its idle heartbeats again after a reconnect only if a consumer info call succeeded
    // then (not while the cluster elects a leader). Left hanging, it would keep its slots,
    // all the fanout, for good: ended here once the server has surely let it go.
    const watchdog = setTimeout(() => {
      this.opts.logger.warn(
        { event: 'pull.abandoned' },
        'pull request outlived its expiry; ending it',
      );
      messages.stop();
    }, this.opts.expiresMs + 5000);
    try {
      for await (const msg of messages) {
        used++;
        if (this.stopping) {
          // Arrived after we stopped pulling (the request was still open): give it straight back.
          msg.nak();
          this.slots.release(1);
          continue;
        }
        this.onMessage(msg);
      }
      this.interrupted.worked('pull requests end normally again');
    } catch (err) {
      this.interrupted.failed(err, 'pull request ended with an error');
    } finally {
      clearTimeout(watchdog);
      this.slots.release(reserved - used);
    }
  }

  /**
   * Stops asking for messages. Requests still open on the server may deliver until they
   * expire (at most `expiresMs`); those messages are nak'ed at once. Resolves when all are closed.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.stopSignal.abort();
    await this.loop;
    await Promise.all([...this.fetches]);
  }
}
