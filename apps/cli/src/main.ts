#!/usr/bin/env node
import { homedir } from 'node:os';
import { run } from './program';

process.on('SIGINT', () => {
  process.stderr.write('\nmctl: interrupted; conditions already queued keep running (see mctl power --action-status)\n');
  process.exit(130);
});

run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  homeDir: homedir(),
  disableTlsVerification: () => {
    // verify_ssl: false in the config. Global fetch offers no per-request switch without undici's Agent.
    process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
  },
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`mctl: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 70;
  },
);
