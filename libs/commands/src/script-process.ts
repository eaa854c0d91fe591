import { spawn } from 'node:child_process';

import { signalGroup, terminateGroup, trackGroup, waitForGroupEnd } from './process-group';
import { StreamCapture } from './stream-capture';

export type OutputStream = 'stdout' | 'stderr';

export interface ProcessOptions {
  /** An executable file: exec'd as it is, its `#!` line picks the interpreter. */
  file: string;
  args: readonly string[];
  env: Record<string, string>;
  cwd: string;
  timeoutMs: number;
  signal?: AbortSignal;
  /** Between SIGTERM and SIGKILL; also how long output may stay open after the script exits. */
  graceMs: number;
  maxOutputBytes: number;
  onLine: (stream: OutputStream, line: string) => void;
}

export interface ProcessOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  stdout: string;
  stderr: string;
  droppedBytes: Record<OutputStream, number>;
  /** Processes the script left behind after it exited, killed by us. */
  leftovers: boolean;
  /** False when some process of the group was still there `graceMs` after the final SIGKILL. */
  groupEnded: boolean;
}

// setTimeout fires at once for delays above 2^31-1 ms.
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs one executable in its own process group and resolves when it is over: the script has
 * exited, its output is closed, and nothing of its group is left running. Rejects only when it
 * cannot start at all (ENOENT, EACCES).
 *
 * Stopping (timeout or `signal`) terminates the whole group, SIGTERM then SIGKILL after
 * `graceMs`. A script that exits while something it started still holds its output open
 * (`daemon &` without redirection) keeps its own exit status; the rest of its group gets
 * `graceMs` to finish and is then killed, so the run ends close to the script's own end and no
 * process outlives it either way.
 */
export function runProcess(options: ProcessOptions): Promise<ProcessOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(options.file, [...options.args], {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const pgid = child.pid;
    if (pgid === undefined) {
      child.once('error', reject);
      return;
    }
    // Spawn failures reject above; later ones (none expected: we signal through the group, not
    // child.kill) must not become an uncaught 'error' event.
    child.on('error', () => undefined);
    const untrack = trackGroup(pgid);
    const capture = {
      stdout: new StreamCapture(options.maxOutputBytes, (line) => options.onLine('stdout', line)),
      stderr: new StreamCapture(options.maxOutputBytes, (line) => options.onLine('stderr', line)),
    };
    child.stdout.on('data', (chunk: Buffer) => capture.stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => capture.stderr.push(chunk));

    let stopped: 'timeout' | 'cancel' | undefined;
    let exited = false;
    let cancelKill: (() => void) | undefined;
    let drainTimer: NodeJS.Timeout | undefined;
    let leftovers = false;

    const stop = (why: 'timeout' | 'cancel'): void => {
      if (stopped || exited) return;
      stopped = why;
      cancelKill = terminateGroup(pgid, options.graceMs);
    };
    const onAbort = (): void => stop('cancel');
    const timer = setTimeout(() => stop('timeout'), Math.min(options.timeoutMs, LONGEST_TIMER_MS));
    if (options.signal?.aborted) stop('cancel');
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    child.once('exit', () => {
      exited = true;
      clearTimeout(timer);
      drainTimer = setTimeout(() => {
        leftovers = signalGroup(pgid, 'SIGKILL');
      }, options.graceMs);
    });

    const finish = async (
      exitCode: number | null,
      signal: NodeJS.Signals | null,
    ): Promise<ProcessOutcome> => {
      clearTimeout(timer);
      clearTimeout(drainTimer);
      cancelKill?.();
      options.signal?.removeEventListener('abort', onAbort);
      try {
        // Whatever of the group is still there closed its output and would run on unseen.
        if (signalGroup(pgid, 'SIGKILL')) leftovers = true;
        const groupEnded = await waitForGroupEnd(pgid, options.graceMs);
        capture.stdout.end();
        capture.stderr.end();
        return {
          exitCode,
          signal,
          timedOut: stopped === 'timeout',
          cancelled: stopped === 'cancel',
          stdout: capture.stdout.text(),
          stderr: capture.stderr.text(),
          droppedBytes: {
            stdout: capture.stdout.droppedBytes,
            stderr: capture.stderr.droppedBytes,
          },
          leftovers,
          groupEnded,
        };
      } finally {
        untrack();
      }
    };
    child.once('close', (exitCode: number | null, signal: NodeJS.Signals | null) => {
      finish(exitCode, signal).then(resolve, reject);
    });
  });
}
