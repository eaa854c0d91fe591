import { setTimeout as sleep } from 'node:timers/promises';
import type { KV } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/nats-core';
import { ConditionStore, QueueUnavailableError } from '@switchboard/condition-store';
import type { Logger } from '@switchboard/logging';
import { Buckets, connectWithRetry, provision } from '@switchboard/nats';

export interface NatsLinkOptions {
  url: string;
  logger: Logger;
  /** Stops waiting for NATS (Ctrl-C during start-up). */
  signal?: AbortSignal;
  /** Provisioning attempts at start before giving up (JetStream may still be recovering). */
  provisionAttempts?: number;
}

export interface NatsLinkState {
  connected: boolean;
  provisioned: boolean;
}

/**
 * The API's connection to NATS and what it knows about it. The client reconnects on its
 * own after an outage; this class follows its status events so that a request made while
 * the connection is down is refused at once (503) instead of waiting for a timeout, and it
 * provisions stream and buckets again after a reconnect (the server may have lost them).
 */
export class NatsLink {
  private connected = true;
  private provisioned = true;
  private store: ConditionStore;
  private closed = false;
  private reprovisioning: Promise<void> | undefined;

  private constructor(
    readonly nc: NatsConnection,
    private buckets: Buckets,
    private readonly log: Logger,
  ) {
    this.store = new ConditionStore(nc, buckets);
    void this.followStatus();
  }

  static async open(opts: NatsLinkOptions): Promise<NatsLink> {
    const nc = await connectWithRetry({
      servers: opts.url,
      name: 'conditions-api',
      logger: opts.logger,
      signal: opts.signal,
    });
    try {
      const buckets = await provisionWithRetry(
        nc,
        opts.logger,
        opts.provisionAttempts ?? 5,
        opts.signal,
      );
      return new NatsLink(nc, buckets, opts.logger);
    } catch (err) {
      await nc.close().catch(() => undefined);
      throw err;
    }
  }

  state(): NatsLinkState {
    return { connected: this.connected && !this.nc.isClosed(), provisioned: this.provisioned };
  }

  isReady(): boolean {
    const s = this.state();
    return s.connected && s.provisioned;
  }

  /** The condition store, or a 503 right now when NATS is known to be unreachable. */
  available(): ConditionStore {
    const s = this.state();
    if (!s.connected)
      throw new QueueUnavailableError(
        'NATS is not connected (reconnecting); nothing was created, try again later',
      );
    if (!s.provisioned)
      throw new QueueUnavailableError(
        'NATS reconnected but the stream and buckets are not provisioned yet; try again shortly',
      );
    return this.store;
  }

  /** The conditions bucket (to watch conditions change), under the same rule as `available()`. */
  conditionsBucket(): KV {
    this.available();
    return this.buckets.conditions;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.nc.isClosed()) return;
    // close() waits for the server to answer a flush; bound it for a server that is gone.
    await Promise.race([
      this.nc.close().catch(() => undefined),
      sleep(2000, undefined, { ref: false }),
    ]);
  }

  private async followStatus(): Promise<void> {
    for await (const status of this.nc.status()) {
      switch (status.type) {
        case 'disconnect':
          this.connected = false;
          this.log.warn(
            { event: 'nats.disconnected', server: status.server },
            'NATS connection lost; answering 503 until it is back',
          );
          break;
        case 'reconnect':
          this.connected = true;
          this.provisioned = false;
          this.log.info(
            { event: 'nats.reconnected', server: status.server },
            'NATS connection back; provisioning again',
          );
          this.reprovisioning ??= this.reprovision().finally(
            () => (this.reprovisioning = undefined),
          );
          break;
        case 'close':
          this.connected = false;
          if (!this.closed)
            this.log.error({ event: 'nats.closed' }, 'NATS connection closed for good');
          return;
        default:
          break;
      }
    }
  }

  /** After a reconnect: provision (idempotent) until it works or the connection drops again. */
  private async reprovision(): Promise<void> {
    let delay = 200;
    while (!this.closed && this.connected && !this.provisioned) {
      try {
        const buckets = await provision(this.nc, { logger: this.log });
        this.buckets = buckets;
        this.store = new ConditionStore(this.nc, buckets);
        this.provisioned = true;
        this.log.info({ event: 'nats.provisioned' }, 'NATS stream and buckets provisioned; ready');
      } catch (err) {
        this.log.warn(
          { event: 'nats.provision_failed', err: (err as Error).message, retryInMs: delay },
          'provisioning failed, retrying',
        );
        await sleep(delay, undefined, { ref: false });
        delay = Math.min(delay * 2, 5000);
      }
    }
  }
}

async function provisionWithRetry(
  nc: NatsConnection,
  log: Logger,
  attempts: number,
  signal?: AbortSignal,
): Promise<Buckets> {
  let delay = 200;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      const buckets = await provision(nc, { logger: log });
      log.info({ event: 'nats.provisioned', attempt }, 'NATS stream and buckets provisioned');
      return buckets;
    } catch (err) {
      if (attempt >= attempts)
        throw new Error(`could not provision NATS stream and buckets: ${(err as Error).message}`, {
          cause: err,
        });
      log.warn(
        { event: 'nats.provision_failed', attempt, retryInMs: delay, err: (err as Error).message },
        'provisioning failed, retrying',
      );
      await sleep(delay, undefined, { signal });
      delay = Math.min(delay * 2, 5000);
    }
  }
}
