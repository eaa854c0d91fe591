import { KvWatchInclude } from '@nats-io/kv';
import type { KV, KvWatchEntry } from '@nats-io/kv';
import { Condition, conditionKey, isFinal } from '@switchboard/condition-types';
import { decodeCondition } from './codec';

type Listener = (condition: Condition | null) => void;

/**
 * One watch over every condition record, shared by all clients waiting for outcomes: a
 * waiting request costs a map entry, not a JetStream consumer of its own, so a hundred
 * `mctl` long polls are as cheap as one. Started on first use; the client's ordered
 * consumer resumes by itself after a reconnect.
 */
export class FinalWatch {
  private readonly listeners = new Map<string, Set<Listener>>();
  private started: Promise<void> | undefined;
  private stopWatch: (() => void) | undefined;

  constructor(private readonly bucket: KV) {}

  /** Calls `listener` with the condition when it is written in a final state (null if deleted). */
  async subscribe(id: string, listener: Listener): Promise<() => void> {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    const unsubscribe = () => {
      set!.delete(listener);
      if (set!.size === 0 && this.listeners.get(id) === set) this.listeners.delete(id);
    };
    try {
      await this.start();
    } catch (err) {
      unsubscribe();
      throw err;
    }
    return unsubscribe;
  }

  private start(): Promise<void> {
    this.started ??= this.bucket
      .watch({ key: conditionKey('*'), include: KvWatchInclude.UpdatesOnly })
      .then((watcher) => {
        this.stopWatch = () => watcher.stop();
        void this.dispatch(watcher);
      })
      .catch((err) => {
        this.started = undefined;
        throw err;
      });
    return this.started;
  }

  private async dispatch(watcher: AsyncIterable<KvWatchEntry>): Promise<void> {
    try {
      for await (const entry of watcher) {
        const id = entry.key.slice(conditionKey('').length);
        const set = this.listeners.get(id);
        if (!set) continue;
        const condition = entry.operation === 'PUT' ? decodeCondition(entry.string()) : null;
        if (condition && !isFinal(condition.state)) continue;
        for (const listener of [...set]) listener(condition);
      }
    } finally {
      // The watch ended (connection closed): the next waiter starts a new one.
      this.started = undefined;
    }
  }

  stop(): void {
    this.stopWatch?.();
  }
}
