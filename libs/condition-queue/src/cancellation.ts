/**
 * The cancel switch of one running condition. A cancel request (core NATS, see
 * cancel-listener.ts) flips it; the action's script is stopped through `signal` (its whole
 * process group is killed) and the condition is failed with `cancelled by <by>`. The first
 * requester is the one recorded: a second request changes nothing but is still answered.
 */
export class Cancellation {
  private readonly controller = new AbortController();
  private requester: string | undefined;
  private over = false;

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Who asked first, once someone did. */
  get by(): string | undefined {
    return this.requester;
  }

  /**
   * Asks for the run to stop. 'cancelling' when it still can be stopped (or already is being
   * stopped); 'ended' when the script is over, so the outcome is already decided.
   */
  request(by: string): 'cancelling' | 'ended' {
    if (this.over && this.requester === undefined) return 'ended';
    if (this.requester === undefined) {
      this.requester = by;
      this.controller.abort(new Error(`cancelled by ${by}`));
    }
    return 'cancelling';
  }

  /** The script is over: from now on a request cannot change the outcome. */
  end(): void {
    this.over = true;
  }
}
