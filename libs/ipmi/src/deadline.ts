import { IpmiError } from './errors';

/** One request's time budget: our own timeout and the caller's abort signal. */
export class Deadline {
  readonly at: number;

  constructor(
    readonly timeoutMs: number,
    readonly signal?: AbortSignal,
  ) {
    this.at = Date.now() + timeoutMs;
  }

  remaining(): number {
    return Math.max(0, this.at - Date.now());
  }

  /** Throws the caller's abort reason, as fetch does. */
  check(): void {
    if (this.signal?.aborted) throw this.signal.reason;
  }

  expired(where: string, what: string): IpmiError {
    return new IpmiError(
      'timeout',
      `no answer from ${where} to ${what} within ${this.timeoutMs} ms`,
    );
  }
}

/**
 * Waits until `settle` is called, `ms` pass (resolves undefined) or the signal aborts (rejects
 * with its reason). `arm` receives the settle function and returns a disarm function.
 */
export function waitFor<T>(
  ms: number,
  signal: AbortSignal | undefined,
  arm: (settle: (value: T) => void) => () => void,
): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    let disarm: () => void = () => undefined;
    const finish = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      disarm();
    };
    const onAbort = (): void => {
      finish();
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      finish();
      resolve(undefined);
    }, ms);
    if (signal?.aborted) return onAbort();
    signal?.addEventListener('abort', onAbort, { once: true });
    disarm = arm((value) => {
      finish();
      resolve(value);
    });
  });
}
