import {
  Consumer,
  ConsumerMessages,
  JetStreamManager,
  JsMsg,
  jetstreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import type { ConditionStore, FinalSubscription } from '@switchboard/condition-store';
import { OUTPUT_SUBJECT_PREFIX, OutputLine } from '@switchboard/condition-types';
import type { Logger } from '@switchboard/logging';
import { Completion } from './completion';
import { lastOutputSeq, openOutputConsumer } from './output-consumer';

/** A condition whose output is followed, and the server it runs on (its inventory name). */
export interface FollowTarget {
  id: string;
  server: string;
}

/**
 * Why following ended: everything sent; the time allowed ran out; the client left; the API is
 * shutting down; or NATS failed under it. Only the first two are a whole answer.
 */
export type FollowEnd = 'complete' | 'timeout' | 'disconnected' | 'shutdown' | 'error';

export interface FollowStats {
  lines: number;
  /** Messages on a followed subject that were not an `OutputLine` of that condition. */
  skipped: number;
}

/** Takes one line; resolves when the client can take more (backpressure). */
export type LineSink = (line: OutputLine, server: string) => Promise<void>;

export interface FollowOptions {
  nc: NatsConnection;
  store: ConditionStore;
  targets: readonly FollowTarget[];
  log: Logger;
}

const SUBJECT_PREFIX = `${OUTPUT_SUBJECT_PREFIX}.`;

function decode(msg: JsMsg): unknown {
  try {
    return msg.json();
  } catch {
    return undefined;
  }
}

/**
 * Follows the output of some conditions from their first line until each is final and every
 * line has been passed on, or until stopped. Owns an ordered consumer of the output stream
 * and a final-watch of the conditions, and removes both when it ends, however it ends.
 */
export class OutputFollower {
  readonly stats: FollowStats = { lines: 0, skipped: 0 };
  private ended: FollowEnd | undefined;
  private messages: ConsumerMessages | undefined;
  private watch: FinalSubscription | undefined;
  private readonly servers: ReadonlyMap<string, string>;

  private constructor(
    private readonly jsm: JetStreamManager,
    private readonly consumer: Consumer,
    private readonly completion: Completion,
    targets: readonly FollowTarget[],
    private readonly log: Logger,
  ) {
    this.servers = new Map(targets.map((t) => [t.id, t.server]));
  }

  /** Creates the consumer and the watch; throws (before any answer is sent) when NATS cannot. */
  static async open(options: FollowOptions): Promise<OutputFollower> {
    const ids = options.targets.map((t) => t.id);
    const jsm = await jetstreamManager(options.nc);
    const { consumer, startSeq } = await openOutputConsumer(options.nc, jsm, ids);
    const follower = new OutputFollower(
      jsm,
      consumer,
      new Completion(new Set(ids), startSeq),
      options.targets,
      options.log,
    );
    try {
      // A record gone or unreadable ends its condition's output just as a final state does.
      follower.watch = await options.store.watchFinal(ids, (id) => void follower.onFinal(id));
    } catch (err) {
      await follower.removeConsumer();
      throw err;
    }
    return follower;
  }

  /** Ends following (the first reason given is the one reported). */
  stop(reason: FollowEnd): void {
    this.ended ??= reason;
    this.messages?.stop();
  }

  /**
   * Passes every line to `sink` until the output is complete, `timeoutMs` runs out, or `stop` is
   * called.
   */
  async run(sink: LineSink, timeoutMs: number): Promise<FollowEnd> {
    const timer = setTimeout(() => this.stop('timeout'), timeoutMs);
    try {
      this.messages = await this.consumer.consume();
      this.checkDone();
      if (this.ended) this.messages.stop();
      for await (const msg of this.messages) {
        if (this.ended) break;
        this.completion.delivered(msg.seq);
        const line = this.lineOf(msg);
        if (line) {
          await sink(line.line, line.server);
          this.stats.lines++;
        }
        this.checkDone();
      }
    } catch (err) {
      this.log.warn(
        { event: 'output.read_failed', err: (err as Error).message },
        'reading action output failed',
      );
      this.stop('error');
    } finally {
      clearTimeout(timer);
      this.watch?.stop();
      await this.removeConsumer();
    }
    // The iterator ending on its own (the consumer or stream deleted under it) is not an end we
    // chose.
    return this.ended ?? 'error';
  }

  private lineOf(msg: JsMsg): { line: OutputLine; server: string } | undefined {
    const id = msg.subject.slice(SUBJECT_PREFIX.length);
    const server = this.servers.get(id);
    // Another condition's output: a batch reads the whole stream from its first line.
    if (server === undefined) return undefined;
    const parsed = OutputLine.safeParse(decode(msg));
    if (!parsed.success || parsed.data.conditionId !== id) {
      this.stats.skipped++;
      return undefined;
    }
    return { line: parsed.data, server };
  }

  private async onFinal(id: string): Promise<void> {
    try {
      this.completion.final(id, await lastOutputSeq(this.jsm, id));
      this.checkDone();
    } catch (err) {
      this.log.warn(
        { event: 'output.end_unknown', conditionId: id, err: (err as Error).message },
        "could not tell where a finished condition's output ends",
      );
      this.stop('error');
    }
  }

  private checkDone(): void {
    if (this.completion.done()) this.stop('complete');
  }

  private async removeConsumer(): Promise<void> {
    await this.consumer.delete().catch((err: unknown) => {
      this.log.warn(
        { event: 'output.consumer_left', err: (err as Error).message },
        'could not delete an output consumer; the server removes it when it has been idle',
      );
    });
  }
}
