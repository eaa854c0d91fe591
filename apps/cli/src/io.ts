/**
 * The slice of a writable stream mctl uses; tests pass a collector, main passes
 * process.stdout/stderr.
 */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
  /**
   * The underlying stream, unescaped, for mctl's own terminal drawing (the progress bar);
   * set on the escaping streams of output/terminal-safe.ts. Never for text from elsewhere.
   */
  terminal?: OutputStream;
}

/**
 * Where answers to questions come from; main passes process.stdin, tests a Readable with `isTTY`
 * set.
 */
export type InputStream = NodeJS.ReadableStream & { isTTY?: boolean };

/** Subscribes to Ctrl-C (SIGINT); the returned function unsubscribes. */
export type InterruptSource = (listener: () => void) => () => void;

/**
 * Everything mctl touches outside itself, injectable so tests never spawn or touch the real home.
 */
export interface Io {
  stdout: OutputStream;
  stderr: OutputStream;
  /** Absent: there is no one to ask (as with stdin not a terminal). */
  stdin?: InputStream;
  env: NodeJS.ProcessEnv;
  /** Home directory, for the default config path. */
  homeDir: string;
  /** HTTP client; mctl's own over node:http (http-fetch.ts) when absent. */
  fetch?: typeof fetch;
  /** Milliseconds between two polls of an unfinished condition (default 500). */
  pollIntervalMs?: number;
  /**
   * Called once before the first request when the config says `verify_ssl: false`. The real
   * process turns certificate checks off for itself; tests only record the call.
   */
  disableTlsVerification?: () => void;
  /**
   * Ctrl-C while a command is running. A command that subscribes decides what Ctrl-C means
   * (`run` cancels its conditions); with no subscriber the process exits 130 at once.
   */
  onInterrupt?: InterruptSource;
}
