import { setTimeout as sleep } from 'node:timers/promises';
import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import type { Condition } from '@switchboard/condition-types';
import type { Logger } from '@switchboard/logging';
import pMap from 'p-map';
import { LOGGER } from '../core/tokens';
import { ApiError } from '../errors/api-error';
import { NatsLink } from '../nats/nats-link';
import { clip, quote } from '../text/clip';
import { OutputFormat, formatLine } from './output-format';
import { FollowEnd, FollowStats, FollowTarget, OutputFollower } from './output-follower';

/** Condition records read at the same time for a batch. */
const READS = 64;
/** How long shutting down waits for open streams to remove their consumers. */
const SHUTDOWN_WAIT_MS = 3000;
/**
 * Open output streams one token subject may hold at once. Each holds a NATS consumer and a
 * watch for as long as an hour, and reads are not rate limited: without a bound, one token
 * could fill NATS with consumers.
 */
export const MAX_STREAMS_PER_SUBJECT = 32;

export interface SendOptions {
  format: OutputFormat;
  /** Put `server: ` before each text line (several conditions in one answer). */
  prefixed: boolean;
  timeoutMs: number;
}

/** A follower opened for one answer: `send` passes its lines on until it ends. */
export interface OutputRun {
  /** Writes each line (resolving when the client can take more) until the output ends. */
  send(write: (text: string) => Promise<void>, options: SendOptions): Promise<FollowEnd>;
  /** The client went away. */
  stop(): void;
  readonly stats: FollowStats;
}

/**
 * Live output of action conditions. Keeps track of every open stream so that shutting down
 * cuts them (the client sees an incomplete answer, not a finished one) and removes their
 * consumers before the NATS connection closes.
 */
@Injectable()
export class OutputService implements BeforeApplicationShutdown {
  private readonly open = new Map<OutputFollower, Promise<unknown>>();
  private readonly perSubject = new Map<string, number>();

  constructor(
    private readonly nats: NatsLink,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** The conditions, in the order asked; 404 naming those that do not exist. */
  async read(ids: readonly string[]): Promise<Condition[]> {
    const store = this.nats.available();
    const found = await pMap(ids, (id) => store.get(id), { concurrency: READS });
    const unknown = ids.filter((_, i) => found[i] === null);
    if (unknown.length === 1)
      throw ApiError.notFound(`condition ${unknown[0]} not found`, 'unknown_condition');
    if (unknown.length > 1)
      throw ApiError.notFound(
        `${unknown.length} conditions not found: ${clip(unknown.join(', '), 400)}`,
        'unknown_condition',
      );
    return found as Condition[];
  }

  /** Opens a follower (consumer and watch created, or 503 / 429 now, before any answer). */
  async follow(targets: readonly FollowTarget[], subject: string): Promise<OutputRun> {
    const release = this.count(subject);
    let follower: OutputFollower;
    try {
      follower = await OutputFollower.open({
        nc: this.nats.nc,
        store: this.nats.available(),
        targets,
        log: this.log,
      });
    } catch (err) {
      release();
      throw err;
    }
    return {
      stats: follower.stats,
      stop: () => follower.stop('disconnected'),
      send: (write, options) => {
        const sink = (line: Parameters<typeof formatLine>[1], server: string) =>
          write(formatLine(options.format, line, options.prefixed ? server : undefined));
        const running = follower.run(sink, options.timeoutMs);
        this.open.set(follower, running);
        return running.finally(() => {
          this.open.delete(follower);
          release();
        });
      },
    };
  }

  /** Counts a stream against its subject's bound (429 past it); the answer releases it. */
  private count(subject: string): () => void {
    const held = this.perSubject.get(subject) ?? 0;
    if (held >= MAX_STREAMS_PER_SUBJECT) {
      throw ApiError.of(
        429,
        `too many output streams for ${quote(subject)}: at most ` +
          `${MAX_STREAMS_PER_SUBJECT} open at once; close one first`,
        { code: 'too_many_streams' },
      );
    }
    this.perSubject.set(subject, held + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.perSubject.get(subject) ?? 1) - 1;
      if (left > 0) this.perSubject.set(subject, left);
      else this.perSubject.delete(subject);
    };
  }

  /** After the shutdown signal, before HTTP and NATS close: cut streams, remove their consumers. */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.open.size === 0) return;
    this.log.info(
      { event: 'output.shutdown', streams: this.open.size },
      'cutting open output streams',
    );
    for (const follower of this.open.keys()) follower.stop('shutdown');
    await Promise.race([
      Promise.allSettled(this.open.values()),
      sleep(SHUTDOWN_WAIT_MS, undefined, { ref: false }),
    ]);
  }
}
