import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';

import { freePort } from './free-port';

export interface MotoServer {
  /** `http://127.0.0.1:PORT`, for the SDK's `endpoint` or AWS_ENDPOINT_URL_EC2. */
  endpoint: string;
  port: number;
  /** Clears every resource (POST /moto-api/reset). */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

export interface MotoOptions {
  /** Extra environment for moto, e.g. INITIAL_NO_AUTH_ACTION_COUNT=0 to make it check keys. */
  env?: NodeJS.ProcessEnv;
  /** How long it may take to answer (default 20 s: python starts slowly on a busy machine). */
  startTimeoutMs?: number;
}

/** The command that starts moto's server: `moto_server` on PATH, else `python3 -m moto.server`. */
export function motoCommand(env: NodeJS.ProcessEnv = process.env): string[] {
  const found = (cmd: string, args: string[]) =>
    spawnSync(cmd, args, { stdio: 'ignore', env }).status === 0;
  if (found('moto_server', ['--help'])) return ['moto_server'];
  if (found('python3', ['-c', 'import moto.server'])) return ['python3', '-m', 'moto.server'];
  throw new Error(
    'moto_server is not installed: the EC2 tests need moto 5 with its server in the default ' +
      'python3 (the project machine image has moto 5.2.1; elsewhere: pip install "moto[server]")',
  );
}

/** Whether moto can be started here (the sandbox adds AWS nodes only then). */
export function motoAvailable(): boolean {
  try {
    motoCommand();
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts a real moto server (EC2 and the rest of AWS's wire protocols) on a free loopback
 * port. Throws, naming what is missing, when moto is not installed: a test must fail then,
 * not skip.
 */
export async function startMotoServer(options: MotoOptions = {}): Promise<MotoServer> {
  const [command, ...prefix] = motoCommand();
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(command, [...prefix, '-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, ...options.env },
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const endpoint = `http://127.0.0.1:${port}`;
    if (await answers(endpoint, child, deadline)) {
      return {
        endpoint,
        port,
        reset: async () => {
          const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
          if (!res.ok) throw new Error(`moto reset answered ${res.status}`);
        },
        stop: () => stopChild(child),
      };
    }
    await stopChild(child);
    if (Date.now() >= deadline || attempt >= 3) {
      throw new Error(`moto_server did not answer on ${endpoint}: ${stderr.trim() || 'no output'}`);
    }
  }
}

async function answers(endpoint: string, child: ChildProcess, deadline: number): Promise<boolean> {
  while (Date.now() < deadline && child.exitCode === null) {
    try {
      const res = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1000) });
      if (res.status < 500) return true;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  return false;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 3000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
