import type { InterruptSource } from '../io';

export interface InterruptSteps {
  /** First Ctrl-C: say what still runs and that another Ctrl-C cancels it. Nothing is stopped. */
  offer(): void;
  /** Second: cancel the running conditions, and wait a little for them to stop. */
  cancel(): void;
  /** Third and later: stop waiting at once. */
  abandon(): void;
}

export interface InterruptWatch {
  /** How many times Ctrl-C was pressed. */
  readonly presses: number;
  dispose(): void;
}

/**
 * Ctrl-C escalates, like pdsh's: the first only offers (a stray keypress must not stop work on
 * a hundred nodes), the second cancels, the third leaves without waiting for the cancellation.
 * Without a source (tests, or an Io with no signals) nothing is watched.
 */
export function watchInterrupts(
  source: InterruptSource | undefined,
  steps: InterruptSteps,
): InterruptWatch {
  let presses = 0;
  const unsubscribe = source?.(() => {
    presses += 1;
    if (presses === 1) steps.offer();
    else if (presses === 2) steps.cancel();
    else steps.abandon();
  });
  return {
    get presses() {
      return presses;
    },
    dispose: () => unsubscribe?.(),
  };
}
