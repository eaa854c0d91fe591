/**
 * The global fanout limit: a counting semaphore of "conditions this replica works on at once".
 * The pull loop takes free slots *before* it asks JetStream for messages, so a message is
 * only ever requested when there is room to start on it at once: nothing waits in a local
 * buffer while its ack timer runs.
 */
export class Slots {
  private used = 0;
  private readonly waiters: Array<() => void> = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`fanout must be a whole number >= 1, got ${capacity}`);
  }

  get inUse(): number {
    return this.used;
  }

  get free(): number {
    return this.capacity - this.used;
  }

  /**
   * Waits until at least one slot is free, then takes every free slot up to `max` and says
   * how many it took. Rejects with the signal's reason when aborted while waiting.
   */
  async takeAvailable(max: number, signal?: AbortSignal): Promise<number> {
    while (this.free === 0) {
      signal?.throwIfAborted();
      await new Promise<void>((resolve, reject) => {
        const onAbort = () => {
          const i = this.waiters.indexOf(wake);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal?.reason);
        };
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        this.waiters.push(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    }
    signal?.throwIfAborted();
    const n = Math.min(this.free, Math.max(1, max));
    this.used += n;
    return n;
  }

  release(n = 1): void {
    if (n <= 0) return;
    if (n > this.used) throw new Error(`releasing ${n} slots but only ${this.used} are in use`);
    this.used -= n;
    for (const wake of this.waiters.splice(0)) wake();
  }
}
