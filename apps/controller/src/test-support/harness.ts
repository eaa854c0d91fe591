/*
 * Test support for the integration suites: real nats-server, real simulated BMCs, real controllers.
 */
import { execFileSync, spawn, ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from '@nats-io/nats-core';
import pino from 'pino';
import type { BmcEndpoint } from '@switchboard/bmc-sim';
import { ensureKeyFile, signingKey, SigningKeys } from '@switchboard/condition-signing';
import { ConditionStore } from '@switchboard/condition-store';
import { Condition, ConditionKind, controllerKey, isFinal } from '@switchboard/condition-types';
import type { Logger } from '@switchboard/logging';
import {
  Buckets,
  connectWithRetry,
  EmbeddedNats,
  provision,
  startEmbeddedNats,
} from '@switchboard/nats';
import { ControllerOptions, RunningController, startController } from '../controller';
import type { DriverCallEvent } from '../reconcile/driver-call';

export const CONTROLLER_DIR = resolve(__dirname, '..', '..');

export interface TestNats {
  url: string;
  nc: NatsConnection;
  buckets: Buckets;
  /** The keys of this NATS's API: `store` signs with them, and every controller gets them. */
  signing: SigningKeys;
  /** The same key in a file, for controllers started as processes (CONDITION_SIGNING_KEY_FILE). */
  signingKeyFile: string;
  /** Writes and signs as the API does. */
  store: ConditionStore;
  dir: string;
  /** Kills nats-server with SIGKILL, as a crash would (its storage stays). */
  kill(): Promise<void>;
  /** Starts nats-server again on the same port and storage (after kill). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** A fresh nats-server with JetStream, provisioned, in its own temporary directory. */
export async function startTestNats(label: string): Promise<TestNats> {
  const dir = mkdtempSync(join(tmpdir(), `sb-controller-${label}-`));
  let server: EmbeddedNats = await startEmbeddedNats({ dataDir: join(dir, 'js') });
  const nc = await connectWithRetry({ servers: server.url, name: `test-${label}` });
  const buckets = await provision(nc);
  const signingKeyFile = join(dir, 'condition-signing-key');
  const signing = { current: signingKey(ensureKeyFile(signingKeyFile)) };
  return {
    url: server.url,
    nc,
    buckets,
    signing,
    signingKeyFile,
    store: new ConditionStore(nc, buckets, { signing }),
    dir,
    async kill() {
      server.kill();
      await server.exited;
    },
    async restart() {
      server = await startEmbeddedNats(server.options);
    },
    async stop() {
      await nc.close().catch(() => undefined);
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export type InventoryNode =
  | {
      name: string;
      bmc: Pick<BmcEndpoint, 'host' | 'port' | 'username' | 'password'>;
      ranks?: string[];
    }
  | { name: string; platform: string; vars: Record<string, string> }
  /** An OpenFlight Action node: ranks and attributes, no power driver. */
  | { name: string; ranks?: string[]; vars?: Record<string, string> };

/** Writes a topology.yaml with native IPMI nodes, shell-platform nodes and/or Action nodes. */
export function writeInventory(dir: string, nodes: InventoryNode[], platformsYaml = ''): string {
  const lines = ['static_nodes:'];
  for (const node of nodes) {
    lines.push(`  ${node.name}:`);
    if ('bmc' in node) {
      lines.push(
        '    platform: ipmi',
        '    bmc:',
        `      host: ${node.bmc.host}`,
        `      port: ${node.bmc.port}`,
      );
      lines.push(
        `      username: ${node.bmc.username}`,
        `      password: ${JSON.stringify(node.bmc.password)}`,
      );
      if (node.ranks) lines.push(`    ranks: ${JSON.stringify(node.ranks)}`);
    } else {
      if ('platform' in node) lines.push(`    platform: ${node.platform}`);
      if ('ranks' in node && node.ranks) lines.push(`    ranks: ${JSON.stringify(node.ranks)}`);
      for (const [k, v] of Object.entries(node.vars ?? {}))
        lines.push(`    ${k}: ${JSON.stringify(v)}`);
    }
  }
  if (platformsYaml) lines.push('platforms:', platformsYaml);
  const file = join(dir, 'topology.yaml');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** A debug-level JSON logger into a file (the suites' logs stay out of Jest's output). */
export function fileLogger(name: string): { logger: Logger; file: string } {
  const dir = join(tmpdir(), 'switchboard-controller-test-logs');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${process.pid}.log`);
  const logger = pino(
    { level: 'debug', base: { service: 'controller' } },
    pino.destination({ dest: file, sync: true }),
  );
  return { logger, file };
}

export async function createCondition(
  store: ConditionStore,
  server: string,
  parameters: unknown,
  kind: ConditionKind = 'serverControl',
): Promise<Condition> {
  return store.create({ kind, server, parameters, requestedBy: 'test' });
}

/**
 * Waits for the server's claim to be dropped: the store drops it just after writing the final
 * state, so a client that saw the state final may still find the claim for a moment.
 */
export async function waitForClaimReleased(
  store: ConditionStore,
  server: string,
  timeoutMs = 10_000,
): Promise<void> {
  await waitFor(
    `the claim on ${server} released`,
    async () => ((await store.activeFor(server)) === null ? true : undefined),
    timeoutMs,
  );
}

/** Polls until `check` returns a value (not undefined), at most `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs: number,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export async function waitForFinal(
  store: ConditionStore,
  id: string,
  timeoutMs: number,
): Promise<Condition> {
  return waitFor(
    `condition ${id} to reach a final state`,
    async () => {
      const c = await store.get(id);
      return c && isFinal(c.state) ? c : undefined;
    },
    timeoutMs,
  );
}

export async function waitForRecord(
  store: ConditionStore,
  id: string,
  record: string | RegExp,
  timeoutMs: number,
  intervalMs = 20,
): Promise<Condition> {
  return waitFor(
    `condition ${id} to record ${String(record)}`,
    async () => {
      const c = await store.get(id);
      return c?.status.records.some((r) =>
        typeof record === 'string' ? r.msg === record : record.test(r.msg),
      )
        ? c
        : undefined;
    },
    timeoutMs,
    intervalMs,
  );
}

export const records = (c: Condition): string[] => c.status.records.map((r) => r.msg);

/** Whether a replica's heartbeat key exists now (a deleted key reads back as a DEL entry). */
export async function hasHeartbeat(nats: TestNats, controllerId: string): Promise<boolean> {
  const entry = await nats.buckets.controllers.get(controllerKey(controllerId));
  return entry?.operation === 'PUT';
}

/** Short timeouts so failure cases end quickly; every test may override them. */
export const TEST_TIMINGS = {
  operationTimeoutMs: 3000,
  operationAttempts: 2,
  retryBaseDelayMs: 200,
  verifyTimeoutMs: 4000,
  verifyIntervalMs: 100,
  bmcResetSettleMs: 200,
  heartbeatIntervalMs: 1000,
  heldRetryDelayMs: 1000,
  pullExpiresMs: 1000,
} satisfies Partial<ControllerOptions>;

export interface TestController {
  controller: RunningController;
  calls: DriverCallEvent[];
  logFile: string;
}

/** A controller replica in this process, recording its driver calls. */
export async function startTestController(
  nats: TestNats,
  inventoryFile: string,
  overrides: Partial<ControllerOptions> & { logName: string },
): Promise<TestController> {
  const calls: DriverCallEvent[] = [];
  const { logName, ...rest } = overrides;
  const { logger, file } = fileLogger(logName);
  const controller = await startController({
    natsUrl: nats.url,
    signing: nats.signing,
    inventoryFile,
    logger,
    ...TEST_TIMINGS,
    onDriverCall: (e) => calls.push(e),
    ...rest,
  });
  return { controller, calls, logFile: file };
}

/**
 * Builds dist/ (incremental: quick when nothing changed), so a child process runs the current code.
 */
export function ensureBuilt(): void {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b'], {
    cwd: CONTROLLER_DIR,
    stdio: 'pipe',
  });
}

export interface ControllerProcess {
  child: ChildProcess;
  pid: number;
  logFile: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
}

/**
 * `node apps/controller/dist/main.js`, configured through its environment only, as in production.
 */
export function spawnController(env: Record<string, string>, logName: string): ControllerProcess {
  const { file } = {
    file: join(tmpdir(), 'switchboard-controller-test-logs', `${logName}-${process.pid}.log`),
  };
  mkdirSync(join(tmpdir(), 'switchboard-controller-test-logs'), { recursive: true });
  const out = openSync(file, 'w');
  const child = spawn(process.execPath, [join(CONTROLLER_DIR, 'dist', 'main.js')], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LOG_LEVEL: 'debug', ...env },
    stdio: ['ignore', out, out],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal })),
  );
  return {
    child,
    pid: child.pid!,
    logFile: file,
    exited,
    kill: (signal) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}
