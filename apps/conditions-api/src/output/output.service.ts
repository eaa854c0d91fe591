import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import type { Condition } from '@switchboard/condition-types';
import type { Logger } from '@switchboard/logging';
import { mapLimit } from '../conditions/map-limit';
import { ApiError, clip, quote } from '../errors/api-error';
import { NatsLink } from '../nats/nats-link';
import { LOGGER } from '../tokens';
import { LineReadable } from './line-readable';
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

export interface StreamOptions {
  /** Token subject the stream counts against. */
  subject: string;
  format: OutputFormat;
  /** Put `server: ` before each text line (several conditions in one answer). */
  prefixed: boolean;
  timeoutMs: number;
  /** Called once when the stream ends, before the answer ends, with why and how much was sent. */
  onEnd(end: FollowEnd, stats: FollowStats): void;
}

/**
 * Live output of action conditions as an HTTP body. Keeps track of every open stream so that
 * shutting down cuts them (the client sees an incomplete answer, not a finished one) and
 * removes their consumers before the NATS connection closes.
 */
@Injectable()
export class OutputService implements OnModuleDestroy {
  private readonly open = new Map<OutputFollower, Promise<void>>();
  private readonly perSubject = new Map<string, number>();

  constructor(
    private readonly nats: NatsLink,
    @Inject(LOGGER) private readonly log: Logger,
  ) {}

  /** The conditions, in the order asked; 404 naming those that do not exist. */
  async read(ids: readonly string[]): Promise<Condition[]> {
    const store = this.nats.available();
    const found = await mapLimit(ids, READS, (id) => store.get(id));
    const unknown = ids.filter((_, i) => found[i] === null);
    if (unknown.length === 1) throw ApiError.notFound(`condition ${unknown[0]} not found`);
    if (unknown.length > 1)
      throw ApiError.notFound(
        `${unknown.length} conditions not found: ${clip(unknown.join(', '), 400)}`,
      );
    return found as Condition[];
  }

  /** Starts following (consumer and watch created, or 503 now) and answers the body to send. */
  async stream(targets: readonly FollowTarget[], options: StreamOptions): Promise<Readable> {
    const release = this.count(options.subject);
    let follower: OutputFollower;
    try {
      follower = await OutputFollower.open({
        nc: this.nats.nc,
        conditions: this.nats.conditionsBucket(),
        targets,
        log: this.log,
      });
    } catch (err) {
      release();
      throw err;
    }
    const body = new LineReadable(() => follower.stop('disconnected'));
    const sink = (line: Parameters<typeof formatLine>[1], server: string) =>
      body.write(formatLine(options.format, line, options.prefixed ? server : undefined));
    const running = follower.run(sink, options.timeoutMs).then((end) => {
      options.onEnd(end, follower.stats);
      if (end === 'complete' || end === 'timeout') body.finish();
      // An answer cut short must not look whole: the connection is dropped mid-body.
      else body.destroy(new Error(`output stream cut short: ${end}`));
    });
    this.open.set(follower, running);
    void running.finally(() => {
      this.open.delete(follower);
      release();
    });
    return body;
  }

  /** Counts a stream against its subject's bound (429 past it); the answer releases it. */
  private count(subject: string): () => void {
    const held = this.perSubject.get(subject) ?? 0;
    if (held >= MAX_STREAMS_PER_SUBJECT) {
      throw ApiError.of(
        429,
        `too many output streams for ${quote(subject)}: at most ${MAX_STREAMS_PER_SUBJECT} open at once; close one first`,
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

  async onModuleDestroy(): Promise<void> {
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
