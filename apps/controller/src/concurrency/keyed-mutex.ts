/**
 * One holder per key at a time, first come first served: the controller takes the lock of a
 * driver's `lockKey` (one BMC) for the whole of a condition, so a BMC never sees two of this
 * replica's operations at once. Waiters can give up through an AbortSignal.
 */
export class KeyedMutex {
  /** Present while the key is held; the queue holds the waiters in arrival order. */
  private readonly queues = new Map<string, Array<() => void>>();

  isHeld(key: string): boolean {
    return this.queues.has(key);
  }

  /** Waiters behind the current holder. */
  waiting(key: string): number {
    return this.queues.get(key)?.length ?? 0;
  }

  /** Resolves with a release function (safe to call twice) once the key is ours. */
  async acquire(key: string, signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    const queue = this.queues.get(key);
    if (!queue) {
      this.queues.set(key, []);
      return this.releaser(key);
    }
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const i = queue.indexOf(grant);
        if (i >= 0) queue.splice(i, 1);
        reject(signal?.reason);
      };
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      queue.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    return this.releaser(key);
  }

  private releaser(key: string): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const queue = this.queues.get(key);
      const next = queue?.shift();
      if (next) next();
      else this.queues.delete(key);
    };
  }
}
