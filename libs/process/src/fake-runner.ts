import type { ProcessRunner, RunOptions, RunResult } from './run-process';

/** What a FakeRunner answers for one run; everything not given is a clean exit 0. */
export type FakeAnswer = Partial<Omit<RunResult, 'stdout' | 'stderr'>> & {
  stdout?: string;
  stderr?: string;
  /** Rejects like a process that cannot start (ENOENT…) instead of answering. */
  startError?: NodeJS.ErrnoException;
};

/**
 * A ProcessRunner that starts nothing, for unit tests of what a caller does with a result
 * (bmclib's fake executor is the model). It records every call, answers from `respond`, and
 * passes the answer's output lines to `onLine` as a real run would. Tests that are about
 * processes themselves (groups, signals, timeouts) use the real runner.
 */
export class FakeRunner implements ProcessRunner {
  readonly calls: RunOptions[] = [];

  constructor(private readonly respond: (options: RunOptions) => FakeAnswer = () => ({})) {}

  async run(options: RunOptions): Promise<RunResult> {
    this.calls.push(options);
    const answer = this.respond(options);
    if (answer.startError) throw answer.startError;
    const stdout = answer.stdout ?? '';
    const stderr = answer.stderr ?? '';
    for (const [stream, text] of [
      ['stdout', stdout],
      ['stderr', stderr],
    ] as const) {
      if (text === '') continue;
      for (const line of text.replace(/\n$/, '').split('\n')) options.onLine?.(stream, line);
    }
    return {
      exitCode: answer.signal ? null : 0,
      signal: null,
      timedOut: false,
      cancelled: false,
      overflowed: false,
      droppedBytes: { stdout: 0, stderr: 0 },
      leftovers: false,
      groupEnded: true,
      durationMs: 0,
      ...answer,
      stdout,
      stderr,
    };
  }

  /** The last call, or a clear failure when there was none. */
  lastCall(): RunOptions {
    const call = this.calls.at(-1);
    if (!call) throw new Error('FakeRunner: nothing was run');
    return call;
  }
}
