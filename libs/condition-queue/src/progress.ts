import type { Condition, StatusRecord } from '@switchboard/condition-types';
import { ConditionStore, StaleWriteError, StoredCondition } from '@switchboard/condition-store';
import type { Logger } from '@switchboard/logging';
import { LostCondition, StoreUnavailable } from './errors';

type Result = NonNullable<Condition['result']>;

/**
 * A failed action still has a result (its exit code or signal); a failed serverControl has none.
 */
export type Outcome =
  | { state: 'succeeded'; result: Result; record: string }
  | { state: 'failed'; error: string; result?: Result };

/**
 * A held condition's progress in KV: every record and the final state are written by
 * compare-and-set on the revision of our own last write. If anyone else wrote in between
 * (another replica took the condition over, believing us dead), the write is refused and
 * LostCondition stops this replica from acting further: the condition has one writer.
 */
export class Progress {
  private revision: number;
  private current: StoredCondition['condition'];
  /** Noted but not yet written. */
  private notes: StatusRecord[] = [];

  constructor(
    private readonly store: ConditionStore,
    stored: StoredCondition,
    private readonly logger: Logger,
    /** While aborted (handed back), only writes marked `evenIfAborted` go through. */
    private readonly signal: AbortSignal,
  ) {
    this.revision = stored.revision;
    this.current = stored.condition;
  }

  get id(): string {
    return this.current.id;
  }

  get records(): readonly StatusRecord[] {
    return [...this.current.status.records, ...this.notes];
  }

  async record(msg: string, opts: { evenIfAborted?: boolean } = {}): Promise<void> {
    if (!opts.evenIfAborted) this.signal.throwIfAborted();
    this.logger.info({ event: 'condition.record', record: msg }, msg);
    await this.write('active', { record: msg });
  }

  /**
   * A record that is an observation, not a step a takeover must know about ("power is on"
   * just before the outcome): logged now, and written to KV with the next write, which is
   * usually the final one. Saves a KV round trip on the way to the outcome; a crash before
   * that write loses only the observation, and the condition is redelivered anyway.
   */
  note(msg: string): void {
    this.signal.throwIfAborted();
    this.logger.info({ event: 'condition.record', record: msg }, msg);
    this.notes.push({ ts: new Date().toISOString(), msg });
  }

  async finish(outcome: Outcome): Promise<void> {
    if (outcome.state === 'succeeded') {
      this.logger.info({ event: 'condition.succeeded', result: outcome.result }, outcome.record);
      await this.write('succeeded', { record: outcome.record, result: outcome.result });
    } else {
      this.logger.warn(
        { event: 'condition.failed', error: outcome.error, result: outcome.result },
        `failed: ${outcome.error}`,
      );
      await this.write('failed', {
        record: `failed: ${outcome.error}`,
        error: outcome.error,
        ...(outcome.result ? { result: outcome.result } : {}),
      });
    }
  }

  private async write(
    state: 'active' | 'succeeded' | 'failed',
    change: Parameters<ConditionStore['update']>[2],
  ): Promise<void> {
    try {
      const notes = this.notes;
      const next = await this.store.updateFrom(
        { condition: this.current, revision: this.revision },
        state,
        { ...change, notes },
      );
      this.revision = next.revision;
      this.current = next.condition;
      this.notes = this.notes.filter((n) => !notes.includes(n));
    } catch (err) {
      if (err instanceof StaleWriteError) throw new LostCondition(this.current.id);
      throw new StoreUnavailable(
        `could not write condition ${this.current.id}: ${(err as Error).message}`,
        err,
      );
    }
  }
}
