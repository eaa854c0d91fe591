import { DEFAULT_KILL_POLICY, KillPolicy } from './process-group';
import { Exit, OutputStream, ProcessGroup, StartOptions } from './spawn-group';

export interface RunOptions extends StartOptions {
  /** Budget of the whole run (default: none). */
  timeoutMs?: number;
  /** Aborting it stops the run like a timeout does; the result says `cancelled`. */
  signal?: AbortSignal;
  /**
   * How the group is stopped at a timeout, a cancel or an overflow (default: TERM, KILL 2 s later).
   */
  kill?: KillPolicy;
  /**
   * How long what the process started may hold its output open after it exited (`daemon &`
   * without redirection) before it is killed. Default: the kill policy's grace; `Infinity`:
   * until the timeout, as OpenFlight Power waits for a platform script's output to close.
   */
  outputGraceMs?: number;
  /** Stop the run when a stream passes `maxOutputBytes`, instead of keeping its end. */
  stopOnOverflow?: boolean;
}

export interface RunResult extends Exit {
  /** Stopped at `timeoutMs` before the process exited. */
  timedOut: boolean;
  /** Stopped by `signal` before the process exited. */
  cancelled: boolean;
  /** Stopped because a stream passed `maxOutputBytes` (only with `stopOnOverflow`). */
  overflowed: boolean;
  /** The last `maxOutputBytes` of each stream. */
  stdout: string;
  stderr: string;
  /** Bytes cut from the front of each stream to stay within `maxOutputBytes`. */
  droppedBytes: Record<OutputStream, number>;
  /** Processes the leader left behind after it exited, killed by us. */
  leftovers: boolean;
  /**
   * False when some process of the group was still there a grace period after the final SIGKILL.
   */
  groupEnded: boolean;
  durationMs: number;
}

/** What runs a process to its end: the real runner, or FakeRunner in tests (fake-runner.ts). */
export interface ProcessRunner {
  run(options: RunOptions): Promise<RunResult>;
}

// setTimeout fires at once for delays above 2^31-1 ms (and for NaN).
const LONGEST_TIMER_MS = 2 ** 31 - 1;
// How long a killed group may take to be gone before the result says it is not.
const END_WAIT_MS = 2000;

function timer(ms: number | undefined, fire: () => void): NodeJS.Timeout | undefined {
  if (ms === undefined || !(ms < Infinity)) return undefined;
  return setTimeout(fire, Math.min(Math.max(0, ms), LONGEST_TIMER_MS));
}

/**
 * Runs one executable in its own process group and resolves when it is over: the process has
 * exited, its output is closed, and nothing of its group is left running. Resolves whatever the
 * exit status: what it means is the caller's business. Rejects only when the process cannot
 * start at all (ENOENT, EACCES, an argument holding NUL).
 *
 * A timeout, a cancel or an overflow stops the whole group by the kill policy. A process that
 * exits while something it started still holds its output open keeps its own exit status; the
 * rest of its group gets `outputGraceMs` (and never past the timeout) and is then killed, so no
 * process outlives the run either way.
 */
export async function runProcess(options: RunOptions): Promise<RunResult> {
  if (options.signal?.aborted) return notStarted();
  const started = Date.now();
  const policy = options.kill ?? DEFAULT_KILL_POLICY;
  let stopped: 'timeout' | 'cancel' | 'overflow' | undefined;
  let leftovers = false;
  let cancelKill: (() => void) | undefined;
  const max = options.maxOutputBytes;
  const group = await ProcessGroup.start(options);

  const killLeftovers = (): void => {
    if (group.signal('SIGKILL')) leftovers = true;
  };
  const stop = (why: NonNullable<typeof stopped>): void => {
    if (stopped) return;
    if (group.exit) {
      // The process gave its verdict in time; only what it left behind is still there.
      killLeftovers();
      return;
    }
    stopped = why;
    cancelKill = group.terminate(policy);
  };
  const onAbort = (): void => stop('cancel');

  const watchOverflow = options.stopOnOverflow && max !== undefined;
  const runTimer = timer(options.timeoutMs, () => stop('timeout'));
  let overflowTimer: NodeJS.Timeout | undefined;
  if (watchOverflow) {
    // Checked on a short interval rather than per chunk: a flood is stopped within 50 ms.
    overflowTimer = setInterval(() => {
      if (group.totalBytes('stdout') > max || group.totalBytes('stderr') > max) stop('overflow');
    }, 50);
  }
  options.signal?.addEventListener('abort', onAbort, { once: true });
  // Aborted while the process was being started: the listener came too late for that event.
  if (options.signal?.aborted) stop('cancel');

  let drainTimer: NodeJS.Timeout | undefined;
  void group.exited.then(() => {
    drainTimer = timer(options.outputGraceMs ?? policy.graceMs, killLeftovers);
  });

  const exit = await group.closed;
  clearTimeout(runTimer);
  clearTimeout(drainTimer);
  clearInterval(overflowTimer);
  cancelKill?.();
  options.signal?.removeEventListener('abort', onAbort);
  try {
    // Whatever of the group is still there closed its output and would run on unseen.
    killLeftovers();
    const groupEnded = await group.waitForEnd(END_WAIT_MS);
    return {
      ...exit,
      timedOut: stopped === 'timeout',
      cancelled: stopped === 'cancel',
      overflowed: stopped === 'overflow',
      stdout: group.output('stdout'),
      stderr: group.output('stderr'),
      droppedBytes: { stdout: group.droppedBytes('stdout'), stderr: group.droppedBytes('stderr') },
      leftovers,
      groupEnded,
      durationMs: Date.now() - started,
    };
  } finally {
    group.release();
  }
}

/** A run cancelled before it began: nothing was started, and that is what it says. */
function notStarted(): RunResult {
  return {
    exitCode: null,
    signal: null,
    timedOut: false,
    cancelled: true,
    overflowed: false,
    stdout: '',
    stderr: '',
    droppedBytes: { stdout: 0, stderr: 0 },
    leftovers: false,
    groupEnded: true,
    durationMs: 0,
  };
}

/** The real runner. */
export const processRunner: ProcessRunner = { run: runProcess };
