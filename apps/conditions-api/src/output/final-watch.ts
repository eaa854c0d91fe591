import { KV, KvEntry, KvWatchInclude } from '@nats-io/kv';
import { ConditionState, conditionKey, isFinal } from '@switchboard/condition-types';
import type { Logger } from '@switchboard/logging';
import { mapLimit } from '../conditions/map-limit';

/** Only the state is read: the rest of the record is not this watch's business. */
function stateOf(entry: KvEntry): ConditionState | undefined {
  try {
    const parsed = ConditionState.safeParse(entry.json<{ state?: unknown }>()?.state);
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const KEY_PREFIX = conditionKey('');
/** Reads in flight when taking the current states of a batch. */
const READS = 32;

/**
 * Tells, once per condition, when each of a set of conditions is final (or its record is
 * gone, which means it will never print anything again). The watch starts before the current
 * states are read, so a change between the two is seen by one or the other.
 *
 * One condition: its own key. Several: every condition key, keeping ours (nats-server 2.9
 * watches one key filter at a time); updates only, so the bucket's history is not replayed.
 */
export class FinalWatch {
  private readonly reported = new Set<string>();
  private stopped = false;

  private constructor(
    private readonly ids: ReadonlySet<string>,
    private readonly onFinal: (id: string) => void,
    private readonly log: Logger,
    private readonly watcher: Awaited<ReturnType<KV['watch']>>,
  ) {}

  static async open(
    kv: KV,
    ids: readonly string[],
    onFinal: (id: string) => void,
    log: Logger,
  ): Promise<FinalWatch> {
    const key = ids.length === 1 ? conditionKey(ids[0]) : `${KEY_PREFIX}*`;
    const watcher = await kv.watch({ key, include: KvWatchInclude.UpdatesOnly });
    const watch = new FinalWatch(new Set(ids), onFinal, log, watcher);
    void watch.follow();
    try {
      await mapLimit(ids, READS, async (id) => watch.consider(id, await kv.get(conditionKey(id))));
    } catch (err) {
      watch.stop();
      throw err;
    }
    return watch;
  }

  stop(): void {
    this.stopped = true;
    this.watcher.stop();
  }

  private async follow(): Promise<void> {
    try {
      for await (const entry of this.watcher)
        this.consider(entry.key.slice(KEY_PREFIX.length), entry);
    } catch (err) {
      // The follower's timeout still bounds the stream; say why it may not end on its own.
      if (!this.stopped)
        this.log.warn(
          { event: 'output.watch_failed', err: (err as Error).message },
          'watching conditions for their end failed',
        );
    }
  }

  private consider(id: string, entry: KvEntry | null): void {
    if (this.stopped || !this.ids.has(id) || this.reported.has(id)) return;
    if (entry && entry.operation === 'PUT') {
      const state = stateOf(entry);
      if (state !== undefined && !isFinal(state)) return;
      if (state === undefined)
        this.log.warn(
          { event: 'output.unreadable_condition', conditionId: id },
          'condition record has no readable state; taking it as ended',
        );
    }
    this.reported.add(id);
    this.onFinal(id);
  }
}
