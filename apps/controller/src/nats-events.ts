import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from '@switchboard/logging';

/**
 * Logs the connection's disconnects and reconnects as events (`nats.disconnected`,
 * `nats.reconnected` with how long it was down), so an outage reads as two lines, not as the
 * warnings of every heartbeat and pull that failed meanwhile. Ends when the connection closes.
 */
export async function logNatsEvents(nc: NatsConnection, logger: Logger): Promise<void> {
  let downSince: number | undefined;
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
}
