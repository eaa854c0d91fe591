import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from '@switchboard/logging';

/** What the connection's status events say now. */
export interface NatsStatus {
  /** False from a disconnect until the next reconnect, and once closed. */
  connected(): boolean;
}

/**
 * Logs the connection's disconnects and reconnects as events (`nats.disconnected`,
 * `nats.reconnected` with how long it was down), so an outage reads as two lines, not as the
 * warnings of every heartbeat and pull that failed meanwhile, and tells whether NATS is reachable
 * now (a shutdown without it does not wait for what cannot be written). Ends when the connection
 * closes.
 */
export function logNatsEvents(nc: NatsConnection, logger: Logger): NatsStatus {
  let downSince: number | undefined;
  let closed = false;
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        downSince ??= Date.now();
        logger.warn(
          { event: 'nats.disconnected', server: status.server },
          'NATS connection lost; reconnecting',
        );
      } else if (status.type === 'reconnect') {
        const downMs = downSince === undefined ? undefined : Date.now() - downSince;
        downSince = undefined;
        logger.info(
          { event: 'nats.reconnected', server: status.server, downMs },
          'NATS connection back',
        );
      }
    }
    closed = true;
  })();
  return { connected: () => !closed && !nc.isClosed() && downSince === undefined };
}
