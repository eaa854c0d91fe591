import type { KV } from '@nats-io/kv';
import { ControllerHeartbeat, controllerKey } from '@switchboard/condition-types';
import type { Logger } from '@switchboard/logging';

export interface HeartbeatIdentity {
  id: string;
  host: string;
  pid: number;
  startedAt: string;
}

/** A condition this replica works on, and the ack subject of its current delivery. */
export interface InFlight {
  id: string;
  reply?: string;
}

/** Writes that failed in a row before the warning is repeated (an outage fails every one). */
const WARN_EVERY = 30;

/**
 * This replica's liveness: its ControllerHeartbeat in KV_CONTROLLERS, renewed every
 * `intervalMs`. Other replicas take its conditions over once its last write is older than
 * their expiry (isAlive); the bucket's TTL (30 s) only clears the keys of replicas that are
 * gone. Deleted on a clean shutdown, so that hand-over is immediate.
 */
export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private beating: Promise<void> = Promise.resolve();

  constructor(
    private readonly kv: KV,
    private readonly identity: HeartbeatIdentity,
    private readonly inFlight: () => InFlight[],
    private readonly intervalMs: number,
    private readonly logger: Logger,
  ) {}

  private failures = 0;

  /**
   * Writes the first heartbeat (and fails if it cannot), then keeps renewing it. Resolves
   * with the deliveries an earlier life of this id left in its heartbeat (a restart with the
   * same CONTROLLER_ID), for the caller to reclaim at once.
   */
  async start(): Promise<Record<string, string>> {
    const previous = await this.kv
      .get(controllerKey(this.identity.id))
      .then((entry) =>
        entry?.operation === 'PUT'
          ? ControllerHeartbeat.safeParse(JSON.parse(entry.string())).data
          : undefined,
      )
      .catch(() => undefined);
    await this.put();
    this.timer = setInterval(() => {
      this.beating = this.put().then(
        () => {
          if (this.failures > 0)
            this.logger.info(
              { event: 'heartbeat.renewed', failedBefore: this.failures },
              'heartbeat renewed again',
            );
          this.failures = 0;
        },
        (err) => {
          // Rate-limited: an outage fails every beat; the first and every WARN_EVERY-th are logged.
          if (this.failures++ % WARN_EVERY === 0)
            this.logger.warn(
              { event: 'heartbeat.failed', failures: this.failures, err: (err as Error).message },
              'could not renew the heartbeat',
            );
        },
      );
    }, this.intervalMs);
    return previous?.deliveries ?? {};
  }

  /**
   * How long ago the last heartbeat that was stored had been sent (this replica's clock). The
   * send time, not the answer's: the stored copy is at least as young, so the others' view of
   * our age is never younger than this one.
   */
  silentMs(): number {
    return Date.now() - this.renewedAt;
  }

  private renewedAt = Date.now();

  private async put(): Promise<void> {
    if (this.stopped) return;
    const sent = Date.now();
    const inFlight = this.inFlight();
    const deliveries = Object.fromEntries(
      inFlight.filter((job) => job.reply).map((job) => [job.id, job.reply!]),
    );
    const beat: ControllerHeartbeat = ControllerHeartbeat.parse({
      ...this.identity,
      ts: new Date().toISOString(),
      inFlight: inFlight.map((job) => job.id),
      deliveries,
    });
    await this.kv.put(controllerKey(this.identity.id), JSON.stringify(beat));
    this.renewedAt = Math.max(this.renewedAt, sent);
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

/**
 * Whether a replica renewed its heartbeat within `expiryMs` (by the NATS server's clock, which
 * stamps every write, so the replicas' own clocks do not matter) and did not shut down. Asked
 * about one condition (`conditionId`, last written by that replica at `sinceMs`), also whether it
 * still works on it: a heartbeat written after that write that does not list it says the replica
 * let it go (its run ended in an error it could not record, and the message came back): then it
 * is not holding it, though alive, and another replica may take it. Both of these times come
 * from the holder's own clock.
 */
export async function isAlive(
  kv: KV,
  controllerId: string,
  expiryMs: number,
  conditionId?: string,
  sinceMs?: number,
): Promise<boolean> {
  const entry = await kv.get(controllerKey(controllerId));
  if (entry === null || entry.operation !== 'PUT') return false;
  if (Date.now() - entry.created.getTime() >= expiryMs) return false;
  if (conditionId === undefined || sinceMs === undefined) return true;
  const beat = ControllerHeartbeat.safeParse(JSON.parse(entry.string()));
  if (!beat.success) return true;
  return beat.data.inFlight.includes(conditionId) || Date.parse(beat.data.ts) <= sinceMs + 1000;
}
