import { Mutex, MutexInterface } from 'async-mutex';
import { untilSettledOrAborted } from '@switchboard/condition-queue';

interface Entry {
  mutex: Mutex;
  /** The holder and the waiters that have not given up. */
  users: number;
}

/**
 * One holder per key at a time, first come first served (an async-mutex Mutex per key, kept
 * only while someone holds or waits for it): the controller takes the lock of a driver's
 * `lockKey` (one BMC) for the whole of a condition, so a BMC never sees two of this replica's
 * operations at once. Waiters can give up through an AbortSignal.
 */
export class KeyedMutex {
  private readonly entries = new Map<string, Entry>();

  isHeld(key: string): boolean {
    return this.entries.get(key)?.mutex.isLocked() ?? false;
  }

  /** Waiters behind the current holder. */
  waiting(key: string): number {
    const entry = this.entries.get(key);
    return entry ? Math.max(0, entry.users - 1) : 0;
  }

  /** Resolves with a release function (safe to call twice) once the key is ours. */
  async acquire(key: string, signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    let entry = this.entries.get(key);
    if (!entry) this.entries.set(key, (entry = { mutex: new Mutex(), users: 0 }));
    entry.users++;
    const acquiring = entry.mutex.acquire();
    let release: MutexInterface.Releaser;
    try {
      release = await untilSettledOrAborted(acquiring, signal);
    } catch (err) {
      // Gave up: the turn still comes (a mutex has no way to leave its queue); pass it on.
      this.leave(key, entry);
      void acquiring.then((late) => late());
      throw err;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.leave(key, entry);
      release();
    };
  }

  private leave(key: string, entry: Entry): void {
    entry.users--;
    if (entry.users === 0 && this.entries.get(key) === entry) this.entries.delete(key);
  }
}
