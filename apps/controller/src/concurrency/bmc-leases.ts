import type { KV } from '@nats-io/kv';
import { isCasConflict } from '@switchboard/condition-store';
import { BMC_LEASE_TTL_MS, bmcLeaseKey } from '@switchboard/condition-types';
import { lockKeyFor } from '@switchboard/drivers';
import type { Inventory } from '@switchboard/inventory';
import type { Logger } from '@switchboard/logging';
import { sleep } from '../reconcile/poll';

/** Someone else holds the lease: the create lost its compare-and-set (JetStream's error code). */
const isTaken = isCasConflict;

/** Lock keys of the BMCs that more than one server of the inventory sits behind. */
function sharedBmcs(inventory: Inventory): Set<string> {
  const count = new Map<string, number>();
  for (const server of inventory.servers) {
    if (server.driver !== 'ipmi' || !server.bmc) continue;
    const key = lockKeyFor(server.bmc);
    count.set(key, (count.get(key) ?? 0) + 1);
  }
  return new Set([...count].filter(([, n]) => n > 1).map(([key]) => key));
}

export interface LeaseHolder {
  controller: string;
  conditionId: string;
}

/**
 * One operation at a time on a BMC that several servers share, across every replica. The
 * per-server claim already keeps one server's conditions apart, and the in-process mutex one
 * replica's; only servers behind one BMC handled by two replicas need this, so it is taken
 * for those alone and the common case pays no extra KV round trips.
 *
 * A lease is a KV key created atomically, renewed while the operation runs, deleted after it,
 * and expiring with the bucket's TTL if its holder dies: a crashed replica blocks a shared BMC
 * for at most BMC_LEASE_TTL_MS.
 */
export class BmcLeases {
  private readonly shared = new WeakMap<Inventory, Set<string>>();

  constructor(
    private readonly kv: KV,
    private readonly logger: Logger,
    private readonly opts: { renewMs: number; pollMs: number } = {
      renewMs: BMC_LEASE_TTL_MS / 4,
      pollMs: 200,
    },
  ) {}

  /** Whether more than one server of this inventory sits behind `lockKey`. */
  isShared(inventory: Inventory, lockKey: string): boolean {
    let keys = this.shared.get(inventory);
    if (!keys) this.shared.set(inventory, (keys = sharedBmcs(inventory)));
    return keys.has(lockKey);
  }

  /**
   * Waits (polling, bounded by `signal`) until the lease is ours; `onWait` is called once if
   * another holder has it. Resolves with the release function.
   */
  async acquire(
    lockKey: string,
    holder: LeaseHolder,
    signal: AbortSignal,
    onWait?: (current: string) => Promise<void>,
  ): Promise<() => Promise<void>> {
    const key = bmcLeaseKey(lockKey);
    const value = JSON.stringify({ ...holder, ts: new Date().toISOString() });
    let revision: number | undefined;
    let told = false;
    while (revision === undefined) {
      signal.throwIfAborted();
      try {
        revision = await this.kv.create(key, value);
      } catch (err) {
        if (!isTaken(err)) throw err;
        if (!told && onWait) {
          told = true;
          const current = await this.kv.get(key).catch(() => null);
          await onWait(current?.operation === 'PUT' ? current.string() : 'another controller');
        }
        await sleep(this.opts.pollMs, signal);
      }
    }
    let current = revision;
    const renew = setInterval(() => {
      this.kv.update(key, value, current).then(
        (next) => (current = next),
        (err) =>
          this.logger.warn(
            { event: 'bmc_lease.renew_failed', lockKey, err: (err as Error).message },
            'could not renew a BMC lease',
          ),
      );
    }, this.opts.renewMs);
    renew.unref();
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      clearInterval(renew);
      await this.kv.delete(key, { previousSeq: current }).catch(() => undefined);
    };
  }
}
