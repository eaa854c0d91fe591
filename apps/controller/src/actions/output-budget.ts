/**
 * Bytes of action output waiting to be published, shared by every action of this replica: a
 * script can write faster than JetStream stores, and what waits is held in memory. One
 * budget for all (rather than one per action) bounds the memory whatever FANOUT is, and lets
 * one chatty action use what the quiet ones do not.
 */
export class ByteBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.used;
  }

  /** Takes `n` bytes if they fit; false (and nothing taken) if not. */
  take(n: number): boolean {
    if (this.used + n > this.limit) return false;
    this.used += n;
    return true;
  }

  give(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}

/**
 * 64 MiB: minutes of a fast script's output at JetStream's pace, and small next to a controller's
 * heap.
 */
export const OUTPUT_BUDGET_BYTES = 64 * 1024 * 1024;
