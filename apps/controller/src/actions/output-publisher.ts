import type { JetStreamClient } from '@nats-io/jetstream';
import PQueue from 'p-queue';
import { OutputLine, outputSubject } from '@switchboard/condition-types';
import type { Logger } from '@switchboard/logging';
import type { ByteBudget } from './output-budget';

export interface OutputSummary {
  /** Lines JetStream acknowledged. */
  published: number;
  /** Lines whose publish failed (stream unavailable, timeout). */
  failed: number;
  /**
   * Lines never sent because the output budget was used up: scripts wrote faster than NATS took
   * them.
   */
  dropped: number;
  firstError?: string;
}

/** Publishes awaiting their JetStream ack at once, per action. */
export const PUBLISH_WINDOW = 256;

/**
 * Publishes an action's output lines to its output subject as they come, without waiting for
 * each ack before sending the next (a script's output arrives faster than one round trip per
 * line): a p-queue of `window` publishes at once. It starts them in the order given, on one
 * connection, each publish sent before the next, so the stream keeps the order of each of the
 * script's streams. `flush()` waits for every ack: the condition's final state is written only
 * after it, so a client that sees the condition final can read all its output.
 */
export class OutputPublisher {
  private readonly subject: string;
  private readonly publishes: PQueue;
  private readonly summary: OutputSummary = { published: 0, failed: 0, dropped: 0 };

  constructor(
    private readonly js: JetStreamClient,
    private readonly source: { conditionId: string; server: string },
    private readonly logger: Logger,
    /** Shared by all actions; a line is held against it from push until its ack. */
    private readonly budget: ByteBudget,
    window = PUBLISH_WINDOW,
  ) {
    this.subject = outputSubject(source.conditionId);
    this.publishes = new PQueue({ concurrency: window });
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
    void this.publishes.add(() => this.publish(data));
  }

  /** Resolves once every queued line is acknowledged or failed. */
  async flush(): Promise<OutputSummary> {
    await this.publishes.onIdle();
    return { ...this.summary };
  }

  /** Never rejects: a failure is counted (and the first one logged). */
  private async publish(data: Uint8Array): Promise<void> {
    try {
      await this.js.publish(this.subject, data);
      this.summary.published++;
    } catch (err) {
      if (this.summary.failed++ === 0) {
        this.summary.firstError = (err as Error).message;
        this.logger.warn(
          { event: 'output.publish_failed', err: (err as Error).message },
          'could not publish an output line',
        );
      }
    } finally {
      this.budget.give(data.length);
    }
  }
}
