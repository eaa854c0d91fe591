import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { ensureKeyFile } from '@switchboard/condition-signing';
import { freePort } from '@switchboard/nats';
import { JWT_SECRET, waitFor } from './harness';

const API_DIR = resolve(__dirname, '..', '..');

/** Builds dist/ (incremental: quick when nothing changed), so a child process runs this code. */
export function buildApi(): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b'], {
    cwd: API_DIR,
    stdio: 'pipe',
  });
}

export interface ApiProcess {
  child: ChildProcess;
  url: string;
  /** Its JSON log lines so far. */
  events(): Array<{ event?: string } & Record<string, unknown>>;
  logged(event: string): boolean;
  exited: Promise<number | null>;
}

/**
 * `node dist/main.js` (call buildApi first), configured through its environment only, as in
 * production, on NATS_URL and INVENTORY_FILE with the tests' JWT secret and a condition signing
 * key beside the inventory (in the test's own directory) unless `env` names one; resolves once
 * /readyz answers 200. `SWITCHBOARD_FAULT_HOLD_BEFORE_PUBLISH: '1'` in `env` holds every create
 * before its publish, for a test to kill it there.
 */
export async function startApiProcess(env: Record<string, string>): Promise<ApiProcess> {
  const port = await freePort();
  const signingKeyFile =
    env.CONDITION_SIGNING_KEY_FILE ?? join(dirname(env.INVENTORY_FILE), 'condition-signing-key');
  ensureKeyFile(signingKeyFile);
  let output = '';
  const child = spawn(process.execPath, [join(API_DIR, 'dist', 'main.js')], {
    env: {
      PATH: process.env.PATH,
      JWT_SECRET,
      CONDITION_SIGNING_KEY_FILE: signingKeyFile,
      PORT: String(port),
      HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const events = () =>
    output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { event?: string });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor(
      () =>
        fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        ),
      30_000,
      'the API process to get ready',
    );
  } catch (err) {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}:\n${output.slice(-2000)}`);
  }
  return {
    child,
    url,
    events,
    logged: (event) => events().some((e) => e.event === event),
    exited,
  };
}
