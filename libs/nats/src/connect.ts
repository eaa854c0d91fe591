import { connect } from '@nats-io/transport-node';
import type { NatsConnection } from '@nats-io/nats-core';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@switchboard/logging';
import { silentLogger } from '@switchboard/logging';
import type { NatsClientAuth } from './client-auth';
import { parseServerList } from './server-list';

export interface ConnectOptions {
  /** One server, a comma-separated list (NATS_URL), or an array. */
  servers: string | readonly string[];
  name: string;
  logger?: Logger;
  /** Stops the retry loop (e.g. on Ctrl-C); the promise then rejects. */
  signal?: AbortSignal;
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Credentials and TLS (`readNatsAuth`); none: an anonymous, plain connection. */
  auth?: NatsClientAuth;
}

/**
 * Connects to NATS, retrying with exponential backoff for as long as it takes: a
 * process that starts before its NATS server must wait for it, not die. Once
 * connected, the client itself reconnects forever after an outage, to any member of the list
 * or of the cluster the server told it about.
 */
export async function connectWithRetry(opts: ConnectOptions): Promise<NatsConnection> {
  const log = opts.logger ?? silentLogger;
  const servers = parseServerList(opts.servers);
  let delay = opts.initialDelayMs ?? 200;
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      const nc = await connect({
        servers,
        ...opts.auth,
        // A cluster member that dies must not send every client to the same next one.
        noRandomize: false,
        name: opts.name,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 500,
        timeout: 2000,
        // Otherwise every request (each KV read or write, each JetStream publish) captures a
        // stack trace up front in case it fails: a large share of the API's and the
        // controller's CPU under load. Our errors name the operation themselves.
        noAsyncTraces: true,
      });
      log.info(
        { event: 'nats.connected', servers, server: nc.getServer(), attempt },
        'connected to NATS',
      );
      return nc;
    } catch (err) {
      log.warn(
        {
          event: 'nats.connect_failed',
          servers,
          attempt,
          retryInMs: delay,
          err: (err as Error).message,
        },
        'NATS not reachable, retrying',
      );
      await sleep(delay, undefined, { signal: opts.signal });
      delay = Math.min(delay * 2, opts.maxDelayMs ?? 5000);
    }
  }
}
