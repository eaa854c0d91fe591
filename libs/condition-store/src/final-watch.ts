import { KvWatchInclude } from '@nats-io/kv';
import pMap from 'p-map';
import type { KV, KvWatchEntry } from '@nats-io/kv';
import { Condition, conditionKey, isFinal } from '@switchboard/condition-types';
import { decodeCondition } from './codec';

/**
 * Told once per condition: with the condition when it is final, or null when its record is
 * gone or unreadable (it will never change again either way).
 */
export type OnFinal = (id: string, condition: Condition | null) => void;

/** An open `watchFinal`; stopping it drops its listeners (the shared watch stays). */
export interface FinalSubscription {
  /**
   * Each id as read once listening (null: no record, or one that cannot be read), so a caller
   * that needs the conditions as they stand does not read them a second time.
   */
  current: ReadonlyMap<string, Condition | null>;
  stop(): void;
}

type Listener = (condition: Condition | null) => void;

const KEY_PREFIX = conditionKey('');

/** A record that cannot be read as a condition is as final as one that is gone. */
function decodeOrNull(text: string): Condition | null {
  try {
    return decodeCondition(text);
  } catch {
    return null;
  }
}

/** Whether a record's state says pending or active (false for anything else, unreadable too). */
function stillRunning(text: string): boolean {
  try {
    const state = (JSON.parse(text) as { state?: unknown } | null)?.state;
    return state === 'pending' || state === 'active';
  } catch {
    return false;
  }
}

/**
 * One watch over every condition record, shared by everything waiting for outcomes: a
 * waiting request costs a map entry, not a JetStream consumer of its own, so a hundred
 * `mctl` long polls are as cheap as one. One key filter for all (nats-server 2.9 watches
 * one filter at a time), updates only, so the bucket's history is not replayed. Started on
 * first use; the client's ordered consumer resumes by itself after a reconnect.
 */
export class SharedFinalWatch {
  private readonly listeners = new Map<string, Set<Listener>>();
  private started: Promise<void> | undefined;
  private stopWatch: (() => void) | undefined;

  constructor(private readonly bucket: KV) {}

  /** Calls `listener` with the condition when it is written in a final state (null if deleted). */
  async subscribe(id: string, listener: Listener): Promise<() => void> {
    let set = this.listeners.get(id);
    if (!set) this.listeners.set(id, (set = new Set()));
    set.add(listener);
    const own = set;
    const unsubscribe = () => {
      own.delete(listener);
      if (own.size === 0 && this.listeners.get(id) === own) this.listeners.delete(id);
    };
    try {
      await this.start();
    } catch (err) {
      unsubscribe();
      throw err;
    }
    return unsubscribe;
  }

  stop(): void {
    this.stopWatch?.();
  }

  private start(): Promise<void> {
    this.started ??= this.bucket
      .watch({ key: `${KEY_PREFIX}*`, include: KvWatchInclude.UpdatesOnly })
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
        const set = this.listeners.get(entry.key.slice(KEY_PREFIX.length));
        if (!set) continue;
        const put = entry.operation === 'PUT';
        const text = put ? entry.string() : '';
        // Most writes are not final (created, picked up, progress): passed over before the
        // contract's full check, which only a final state needs.
        if (put && stillRunning(text)) continue;
        const condition = put ? decodeOrNull(text) : null;
        if (condition && !isFinal(condition.state)) continue;
        for (const listener of [...set]) listener(condition);
      }
    } catch {
      // The watch failed under us (connection closed): the next subscriber starts a new one.
    } finally {
      this.started = undefined;
    }
  }
}

/**
 * Calls `onFinal` once for each of `ids`, as soon as it is final (or gone). Listens before it
 * reads the current states, so a write between the two is seen by one or the other; `read`
 * answers null for a missing record and throws only when the store cannot be reached.
 */
export async function watchFinal(
  shared: SharedFinalWatch,
  ids: readonly string[],
  read: (id: string) => Promise<string | null>,
  onFinal: OnFinal,
  readsAtOnce: number,
): Promise<FinalSubscription> {
  const reported = new Set<string>();
  let stopped = false;
  const report = (id: string, condition: Condition | null) => {
    if (stopped || reported.has(id)) return;
    reported.add(id);
    onFinal(id, condition);
  };
  const unsubscribes: Array<() => void> = [];
  const stop = () => {
    stopped = true;
    for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
  };
  const current = new Map<string, Condition | null>();
  try {
    for (const id of new Set(ids))
      unsubscribes.push(await shared.subscribe(id, (condition) => report(id, condition)));
    await pMap(
      new Set(ids),
      async (id) => {
        const text = await read(id);
        const condition = text === null ? null : decodeOrNull(text);
        current.set(id, condition);
        if (!condition || isFinal(condition.state)) report(id, condition);
      },
      { concurrency: readsAtOnce },
    );
  } catch (err) {
    stop();
    throw err;
  }
  return { current, stop };
}
