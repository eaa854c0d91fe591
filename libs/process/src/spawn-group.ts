import { spawn } from 'node:child_process';

import { guardGroup } from './guardian';
import { KillPolicy, signalGroup, terminateGroup, waitForGroupEnd } from './process-group';
import { StreamCapture } from './stream-capture';

export type OutputStream = 'stdout' | 'stderr';

export interface StartOptions {
  /** An executable: a path, or a name looked up in `env.PATH`. */
  file: string;
  args?: readonly string[];
  /** The whole environment of the process: nothing of ours is added to it. */
  env: Readonly<Record<string, string>>;
  cwd?: string;
  /** Output kept per stream, from the end (default 1 MiB). */
  maxOutputBytes?: number;
  /** Each complete output line as it comes, in order per stream. */
  onLine?: (stream: OutputStream, line: string) => void;
}

export interface Exit {
  /** Null when a signal ended it. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

/**
 * A process started as the leader of its own process group (its own session, in fact), with
 * stdin closed and both outputs captured. Signals go to the whole group, so they reach what
 * the process started (`sleep 100 &`) too, and the group is registered with the death pipe
 * (guardian.ts), so it dies with this process even when this process is SIGKILLed.
 */
export class ProcessGroup {
  readonly pid: number;
  /** Resolves when the leader has exited. */
  readonly exited: Promise<Exit>;
  /** Resolves when the leader has exited and both outputs are closed. */
  readonly closed: Promise<Exit>;
  private readonly capture: Record<OutputStream, StreamCapture>;
  private readonly unguard: () => void;
  private exitInfo: Exit | undefined;

  private constructor(child: ReturnType<typeof spawn>, pid: number, options: StartOptions) {
    this.pid = pid;
    this.unguard = guardGroup(pid);
    const max = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
    const onLine = options.onLine;
    this.capture = {
      stdout: new StreamCapture(max, onLine ? (line) => onLine('stdout', line) : undefined),
      stderr: new StreamCapture(max, onLine ? (line) => onLine('stderr', line) : undefined),
    };
    child.stdout?.on('data', (chunk: Buffer) => this.capture.stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.capture.stderr.push(chunk));
    // Spawn failures are reported by start(); later ones (none expected: we signal through the
    // group, not child.kill) must not become an uncaught 'error' event.
    child.on('error', () => undefined);
    this.exited = new Promise((resolve) =>
      child.once('exit', (exitCode, signal) => {
        this.exitInfo = { exitCode, signal };
        resolve(this.exitInfo);
      }),
    );
    this.closed = new Promise((resolve) =>
      child.once('close', (exitCode: number | null, signal: NodeJS.Signals | null) => {
        this.capture.stdout.end();
        this.capture.stderr.end();
        resolve({ exitCode, signal });
      }),
    );
  }

  /** Starts the process; rejects when it cannot start at all (ENOENT, EACCES). */
  static start(options: StartOptions): Promise<ProcessGroup> {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(options.file, [...(options.args ?? [])], {
        cwd: options.cwd,
        env: options.env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (err) {
      // Arguments no process can receive (a NUL byte): Node throws instead of emitting.
      return Promise.reject(err as Error);
    }
    const pid = child.pid;
    if (pid === undefined) {
      return new Promise((_resolve, reject) => child.once('error', reject));
    }
    return Promise.resolve(new ProcessGroup(child, pid, options));
  }

  /** Undefined while the leader runs. */
  get exit(): Exit | undefined {
    return this.exitInfo;
  }

  /** Sends `signal` to every process of the group; false when none is left. */
  signal(signal: NodeJS.Signals | 0): boolean {
    return signalGroup(this.pid, signal);
  }

  /** Stops the group by the policy; returns a cancel of the pending SIGKILL. */
  terminate(policy: KillPolicy): () => void {
    return terminateGroup(this.pid, policy);
  }

  /** True once no process of the group is left; false if some still are after `timeoutMs`. */
  waitForEnd(timeoutMs: number): Promise<boolean> {
    return waitForGroupEnd(this.pid, timeoutMs);
  }

  /** The kept end of a stream (the last `maxOutputBytes`). */
  output(stream: OutputStream): string {
    return this.capture[stream].text();
  }

  droppedBytes(stream: OutputStream): number {
    return this.capture[stream].droppedBytes;
  }

  /** Bytes seen on a stream so far, kept or not. */
  totalBytes(stream: OutputStream): number {
    return this.capture[stream].totalBytes;
  }

  /** Tells the death pipe the group has ended; call once nothing of it is left. */
  release(): void {
    this.unguard();
  }
}
