/**
 * When a follower has sent everything. A condition's output is complete once the condition
 * is final and the consumer has passed the last output message the stream held for it at
 * that moment: a controller publishes (and has acknowledged) every line before it writes the
 * final state, so nothing of that condition can come later.
 *
 * The consumer reads in stream order, so "passed sequence N" is one number for all the
 * conditions followed: the highest stream sequence it has delivered.
 */
export class Completion {
  /** Condition id → last output sequence when it became final (0: it printed nothing). */
  private readonly lastSeqs = new Map<string, number>();
  private position: number;

  /** `startSeq`: the first stream sequence the consumer delivers; nothing before it is awaited. */
  constructor(
    private readonly ids: ReadonlySet<string>,
    startSeq: number,
  ) {
    this.position = startSeq - 1;
  }

  /** The consumer delivered stream sequence `seq` (any subject it reads). */
  delivered(seq: number): void {
    if (seq > this.position) this.position = seq;
  }

  /** `id` is final (or gone); `lastSeq` is the last output message it has, 0 for none. */
  final(id: string, lastSeq: number): void {
    if (this.ids.has(id)) this.lastSeqs.set(id, lastSeq);
  }

  /** Conditions not final yet. */
  running(): number {
    return this.ids.size - this.lastSeqs.size;
  }

  done(): boolean {
    if (this.running() > 0) return false;
    for (const last of this.lastSeqs.values()) if (last > this.position) return false;
    return true;
  }
}
