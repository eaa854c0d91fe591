import type { JetStreamClient } from '@nats-io/jetstream';
import { OutputLine, outputSubject } from '@switchboard/condition-types';
import type { Logger } from '@switchboard/logging';
import type { ByteBudget } from './output-budget';

export interface OutputSummary {
  /** Lines JetStream acknowledged. */
  published: number;
  /** Lines whose publish failed (stream unavailable, timeout). */
  failed: number;
  /** Lines never sent because the output budget was used up: scripts wrote faster than NATS took them. */
  dropped: number;
  firstError?: string;
}

/** Publishes awaiting their JetStream ack at once, per action. */
export const PUBLISH_WINDOW = 256;

/**
 * Publishes an action's output lines to its output subject as they come, without waiting for
 * each ack before sending the next (a script's output arrives faster than one round trip per
 * line). Lines go out in the order given, on one connection, each publish sent before the
 * next, so the stream keeps the order of each of the script's streams. `flush()` waits for
 * every ack: the condition's final state is written only after it, so a client that sees the
 * condition final can read all its output.
 */
export class OutputPublisher {
  private readonly subject: string;
  private readonly queue: Uint8Array[] = [];
  private head = 0;
  private inFlight = 0;
  private readonly summary: OutputSummary = { published: 0, failed: 0, dropped: 0 };
  private waiters: Array<() => void> = [];

  constructor(
    private readonly js: JetStreamClient,
    private readonly source: { conditionId: string; server: string },
    private readonly logger: Logger,
    /** Shared by all actions; a line is held against it from push until its ack. */
    private readonly budget: ByteBudget,
    private readonly window = PUBLISH_WINDOW,
  ) {
    this.subject = outputSubject(source.conditionId);
  }

  /** Queues one line (synchronous: called from the script's output handler). */
  push(stream: OutputLine['stream'], line: string): void {
    const value: OutputLine = { ...this.source, stream, line, ts: new Date().toISOString() };
    const data = Buffer.from(JSON.stringify(value));
    if (!this.budget.take(data.length)) {
      if (this.summary.dropped++ === 0) {
        this.logger.warn(
          { event: 'output.dropping', budgetBytes: this.budget.limit },
          'output budget used up: dropping lines until NATS catches up',
        );
      }
      return;
    }
    this.queue.push(data);
    this.pump();
  }

  /** Resolves once every queued line is acknowledged or failed. */
  async flush(): Promise<OutputSummary> {
    if (!this.idle) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return { ...this.summary };
  }

  private get idle(): boolean {
    return this.inFlight === 0 && this.head === this.queue.length;
  }

  private pump(): void {
    while (this.inFlight < this.window && this.head < this.queue.length) {
      const data = this.queue[this.head++];
      this.inFlight++;
      this.js
        .publish(this.subject, data)
        .then(
          () => this.summary.published++,
          (err: Error) => {
            if (this.summary.failed++ === 0) {
              this.summary.firstError = err.message;
              this.logger.warn(
                { event: 'output.publish_failed', err: err.message },
                'could not publish an output line',
              );
            }
          },
        )
        .finally(() => {
          this.budget.give(data.length);
          this.inFlight--;
          this.pump();
          if (this.idle) this.wake();
        });
    }
    // Drop what was sent, now and then, so the array does not grow with everything ever queued.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }

  private wake(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}
