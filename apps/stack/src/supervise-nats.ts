import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@switchboard/logging';
import { EmbeddedNats, EmbeddedNatsOptions, startEmbeddedNats } from '@switchboard/nats';

export interface SupervisedNats {
  url: string;
  /** The running server's pid (a new one after each restart). */
  pid(): number | undefined;
  /** Restarts so far. */
  restarts(): number;
  stop(): Promise<void>;
}

/** Restarts in a row (each within 30 s of its start) before the stack gives up. */
const MAX_RESTARTS = 10;

/**
 * The stack's embedded nats-server, supervised like the API and controller: when it exits
 * without being asked to, it is started again on the same port with the same JetStream
 * storage (so no accepted condition is lost), with backoff, each exit and restart logged.
 * The clients reconnect on their own.
 */
export async function superviseNats(
  opts: EmbeddedNatsOptions & { port: number; logger: Logger },
): Promise<SupervisedNats> {
  const log = opts.logger;
  let server: EmbeddedNats = await startEmbeddedNats(opts);
  let stopping = false;
  let restarts = 0;
  let inARow = 0;
  let startedAt = Date.now();

  const watch = (current: EmbeddedNats): void => {
    void current.exited.then(async (code) => {
      if (stopping) return;
      if (Date.now() - startedAt > 30_000) inARow = 0;
      for (;;) {
        inARow += 1;
        if (inARow > MAX_RESTARTS) {
          log.error(
            { event: 'stack.nats.gave_up', code, restarts },
            'nats-server keeps exiting; not restarting it',
          );
          return;
        }
        const delay = Math.min(250 * 2 ** (inARow - 1), 5000);
        log.warn(
          { event: 'stack.nats.exited', code, pid: current.pid, restartInMs: delay },
          'nats-server exited; restarting it with the same storage',
        );
        await sleep(delay, undefined, { ref: false });
        if (stopping) return;
        try {
          server = await startEmbeddedNats(opts);
          startedAt = Date.now();
          restarts += 1;
          log.info(
            { event: 'stack.nats.restarted', pid: server.pid, restarts, url: server.url },
            `nats-server restarted (${restarts} so far)`,
          );
          watch(server);
          return;
        } catch (err) {
          log.error(
            { event: 'stack.nats.restart_failed', err: (err as Error).message },
            'nats-server did not start again',
          );
        }
      }
    });
  };
  watch(server);

  return {
    url: server.url,
    pid: () => server.pid,
    restarts: () => restarts,
    async stop() {
      stopping = true;
      await server.stop();
    },
  };
}
