#!/usr/bin/env node
import { homedir } from 'node:os';
import { INTERRUPTED_EXIT } from './exit-codes';
import { run } from './program';

// `mctl ... | head`: a reader that stops early is the reader's choice, not a failure of mctl's.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw err;
});

/**
 * Ctrl-C goes to the command that asked for it (`run` cancels its conditions); otherwise mctl exits
 * 130 at once.
 */
const interruptListeners = new Set<() => void>();
process.on('SIGINT', () => {
  if (interruptListeners.size > 0) {
    for (const listener of [...interruptListeners]) listener();
    return;
  }
  process.stderr.write(
    '\nmctl: interrupted; conditions already queued keep running (see mctl power ' +
      '--action-status)\n',
  );
  process.exit(INTERRUPTED_EXIT);
});

run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  // A getter: process.stdin is only opened when a question is asked.
  get stdin() {
    return process.stdin;
  },
  env: process.env,
  homeDir: homedir(),
  disableTlsVerification: () => {
    // verify_ssl: false in the config: node:https (http-fetch.ts) honours it for every request.
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  },
  onInterrupt: (listener) => {
    interruptListeners.add(listener);
    return () => interruptListeners.delete(listener);
  },
}).then(
  (code) => {
    // Interrupted: leave now, whatever requests were abandoned on the way.
    if (code === INTERRUPTED_EXIT) process.exit(code);
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `mctl: internal error: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exitCode = 70;
  },
);
