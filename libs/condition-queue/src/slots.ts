import { Semaphore } from 'async-mutex';
import { untilSettledOrAborted } from './abortable';

/**
 * The global fanout limit: how many conditions this replica works on at once, counted by a
 * semaphore. The pull loop takes free slots *before* it asks JetStream for messages, so a
 * message is only ever requested when there is room to start on it at once: nothing waits in
 * a local buffer while its ack timer runs. The pull loop is the only taker.
 */
export class Slots {
  private readonly semaphore: Semaphore;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`fanout must be a whole number >= 1, got ${capacity}`);
    this.semaphore = new Semaphore(capacity);
  }

  get inUse(): number {
    return this.capacity - this.free;
  }

  get free(): number {
    return this.semaphore.getValue();
  }

  /**
   * Waits until at least one slot is free, then takes every free slot up to `max` and says
   * how many it took. Rejects with the signal's reason when aborted while waiting.
   */
  async takeAvailable(max: number, signal?: AbortSignal): Promise<number> {
    signal?.throwIfAborted();
    if (this.free === 0) await untilSettledOrAborted(this.semaphore.waitForUnlock(1), signal);
    const n = Math.min(this.free, Math.max(1, max));
    // Free right now and nobody else takes: the semaphore grants it without waiting.
    await this.semaphore.acquire(n);
    return n;
  }

  release(n = 1): void {
    if (n <= 0) return;
    if (n > this.inUse) throw new Error(`releasing ${n} slots but only ${this.inUse} are in use`);
    this.semaphore.release(n);
  }
}
