import type { KV } from '@nats-io/kv';
import { ControllerHeartbeat, controllerKey } from '@switchboard/condition-types';
import type { Logger } from '@switchboard/logging';

export interface HeartbeatIdentity {
  id: string;
  host: string;
  pid: number;
  startedAt: string;
}

/**
 * This replica's liveness: its ControllerHeartbeat in KV_CONTROLLERS, renewed every
 * `intervalMs`. The bucket's TTL (30 s) removes the key of a replica that stopped renewing
 * it, which is how other replicas know they may take its conditions over. Deleted on a
 * clean shutdown, so that hand-over is immediate.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private beating: Promise<void> = Promise.resolve();

  constructor(
    private readonly kv: KV,
    private readonly identity: HeartbeatIdentity,
    private readonly inFlight: () => string[],
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  /** Writes the first heartbeat (and fails if it cannot), then keeps renewing it. */
  async start(): Promise<void> {
    await this.put();
    this.timer = setInterval(() => {
      this.beating = this.put().catch((err) =>
        this.logger.warn(
          { event: 'heartbeat.failed', err: (err as Error).message },
          'could not renew the heartbeat',
        ),
      );
    }, this.intervalMs);
  }

  private async put(): Promise<void> {
    if (this.stopped) return;
    const beat: ControllerHeartbeat = ControllerHeartbeat.parse({
      ...this.identity,
      ts: new Date().toISOString(),
      inFlight: this.inFlight(),
    });
    await this.kv.put(controllerKey(this.identity.id), JSON.stringify(beat));
  }

  /** Stops renewing and deletes the key: other replicas may take our conditions over at once. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.beating;
    await this.kv
      .delete(controllerKey(this.identity.id))
      .catch((err) =>
        this.logger.warn(
          { event: 'heartbeat.delete_failed', err: (err as Error).message },
          'could not delete the heartbeat',
        ),
      );
  }
}

/** Whether a replica's heartbeat key exists (it renewed it within the bucket's TTL and did not shut down). */
export async function isAlive(kv: KV, controllerId: string): Promise<boolean> {
  const entry = await kv.get(controllerKey(controllerId));
  return entry !== null && entry.operation === 'PUT';
}
