/** The slice of a writable stream mctl uses; tests pass a collector, main passes process.stdout/stderr. */
export interface OutputStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Everything mctl touches outside itself, injectable so tests never spawn or touch the real home. */
export interface Io {
  stdout: OutputStream;
  stderr: OutputStream;
  env: NodeJS.ProcessEnv;
  /** Home directory, for the default config path. */
  homeDir: string;
  /** HTTP client; the global fetch when absent. */
  fetch?: typeof fetch;
  /** Milliseconds between two polls of an unfinished condition (default 500). */
  pollIntervalMs?: number;
  /**
   * Called once before the first request when the config says `verify_ssl: false`. The real
   * process turns certificate checks off for itself; tests only record the call.
   */
  disableTlsVerification?: () => void;
}
