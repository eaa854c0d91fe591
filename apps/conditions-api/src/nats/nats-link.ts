import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/nats-core';
import { readSigningKeys, SigningKeys } from '@switchboard/condition-signing';
import {
  ConditionStore,
  QueueUnavailableError,
  StoreHooks,
  startCreateSweeper,
} from '@switchboard/condition-store';
import type { Logger } from '@switchboard/logging';
import { Buckets, connectWithRetry, provision } from '@switchboard/nats';
import type { ApiOptions } from '../core/api-options';
import { API_OPTIONS, LOGGER } from '../core/tokens';

/**
 * Fault injection for the fault tests: with SWITCHBOARD_FAULT_HOLD_BEFORE_PUBLISH=1 every create
 * stops for good after its KV writes, before its publish (logging `fault.holding`), so a test
 * can kill the API exactly there. Never set outside tests.
 */
function faultHooks(log: Logger): StoreHooks {
  if (process.env.SWITCHBOARD_FAULT_HOLD_BEFORE_PUBLISH !== '1') return {};
  return {
    beforePublish: (condition) => {
      log.warn(
        { event: 'fault.holding', conditionId: condition.id, server: condition.target },
        'fault injection: holding this create before its publish',
      );
      return new Promise<void>(() => undefined);
    },
  };
}

/** Provisioning attempts at start before giving up (JetStream may still be recovering). */
const PROVISION_ATTEMPTS = 5;

export interface NatsLinkState {
  connected: boolean;
  provisioned: boolean;
}

/**
 * The API's connection to NATS and what it knows about it. The client reconnects on its
 * own after an outage; this class follows its status events so that a request made while
 * the connection is down is refused at once (503) instead of waiting for a timeout, and it
 * provisions stream and buckets again after a reconnect (the server may have lost them).
 *
 * Connects when the application bootstraps, after every module has initialised (so a broken
 * inventory or commands directory stops the API before it touches NATS), and closes when
 * the application has shut down, after the HTTP server.
 */
@Injectable()
export class NatsLink implements OnApplicationBootstrap, OnApplicationShutdown {
  private connected = false;
  private provisioned = false;
  private link: { nc: NatsConnection; store: ConditionStore; buckets: Buckets } | undefined;
  private sweeper: { stop(): Promise<void> } | undefined;
  private closed = false;
  private reprovisioning: Promise<void> | undefined;
  /** Every record the API writes is signed with these: the controllers run nothing else. */
  private readonly signing: SigningKeys;

  constructor(
    @Inject(API_OPTIONS) private readonly options: ApiOptions,
    @Inject(LOGGER) private readonly log: Logger,
  ) {
    this.signing = options.signing ?? readSigningKeys(process.env);
  }

  private storeOf(nc: NatsConnection, buckets: Buckets): ConditionStore {
    return new ConditionStore(nc, buckets, { ...faultHooks(this.log), signing: this.signing });
  }

  async onApplicationBootstrap(): Promise<void> {
    const nc = await connectWithRetry({
      servers: this.options.natsUrl,
      auth: this.options.natsAuth,
      name: 'conditions-api',
      logger: this.log,
      signal: this.options.signal,
    });
    try {
      const buckets = await provisionWithRetry(
        nc,
        this.log,
        PROVISION_ATTEMPTS,
        this.options.signal,
      );
      this.link = { nc, store: this.storeOf(nc, buckets), buckets };
      this.connected = true;
      this.provisioned = true;
      void this.followStatus(nc);
      // Creates cut off in another API replica (or in an earlier life of this one).
      this.sweeper = startCreateSweeper(
        () => (this.state().connected ? this.link?.store : undefined),
        {
          onFailed: (ids) =>
            this.log.warn(
              { event: 'create.never_queued', conditions: ids },
              `failed ${ids.length} conditions whose create was cut off before it was queued`,
            ),
          onError: (err) =>
            this.log.debug({ event: 'create.sweep_failed', err: err.message }, 'sweep failed'),
        },
      );
    } catch (err) {
      await nc.close().catch(() => undefined);
      throw err;
    }
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  /** The connection (for the output stream's consumers). */
  get nc(): NatsConnection {
    if (!this.link) throw new QueueUnavailableError('NATS is not connected yet');
    return this.link.nc;
  }

  state(): NatsLinkState {
    const open = this.link !== undefined && !this.link.nc.isClosed();
    return { connected: this.connected && open, provisioned: this.provisioned };
  }

  /** The Idempotency-Key bucket, or a 503 like `available`. */
  idempotency(): Buckets['idempotency'] {
    this.available();
    return this.link!.buckets.idempotency;
  }

  /** The condition store, or a 503 right now when NATS is known to be unreachable. */
  available(): ConditionStore {
    const s = this.state();
    if (!s.connected || !this.link)
      throw new QueueUnavailableError(
        'NATS is not connected (reconnecting); nothing was created, try again later',
      );
    if (!s.provisioned)
      throw new QueueUnavailableError(
        'NATS reconnected but the stream and buckets are not provisioned yet; try again shortly',
      );
    return this.link.store;
  }

  async close(): Promise<void> {
    const reachable = this.state().connected;
    this.closed = true;
    const nc = this.link?.nc;
    if (this.link && !reachable)
      this.log.warn(
        { event: 'nats.unreachable_at_shutdown' },
        'stopping without NATS: nothing waits for it; a create cut off by the stop is failed ' +
          '"never queued" by the next API or controller once NATS is back',
      );
    // Side by side: a sweep in progress ends when the connection closes. close() waits for the
    // server to answer a flush: bounded for a server that is gone.
    await Promise.all([
      this.sweeper?.stop(),
      nc &&
        !nc.isClosed() &&
        Promise.race([nc.close().catch(() => undefined), sleep(2000, undefined, { ref: false })]),
    ]);
  }

  private async followStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
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
          this.reprovisioning ??= this.reprovision(nc).finally(
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
  private async reprovision(nc: NatsConnection): Promise<void> {
    let delay = 200;
    while (!this.closed && this.connected && !this.provisioned) {
      try {
        const buckets = await provision(nc, { logger: this.log });
        this.link = { nc, store: this.storeOf(nc, buckets), buckets };
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
