import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import jwt from 'jsonwebtoken';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { randomSigningKeys, SigningKeys } from '@switchboard/condition-signing';
import { ConditionStore } from '@switchboard/condition-store';
import {
  ApiCondition,
  Condition,
  KV_ACTIVE,
  STREAM_CONDITIONS,
} from '@switchboard/condition-types';
import { serverUuid } from '@switchboard/inventory';
import { capturingLogger } from '@switchboard/logging';
import type { Logger } from '@switchboard/logging';
import {
  Buckets,
  EmbeddedNats,
  connectWithRetry,
  openBuckets,
  startEmbeddedNats,
} from '@switchboard/nats';
import { ConditionsApi, CreateAppOptions, createApp } from '../app';

export const NODE01_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
export const NODE02_ID = '16fd2706-8baf-433b-82eb-8c7fada847da';

/** The UUID the API gives a test server: its inventory id (node01, node02), else derived. */
export function uuidOf(name: string): string {
  const ids: Record<string, string> = { node01: NODE01_ID, node02: NODE02_ID };
  return serverUuid({ name, id: ids[name] });
}

/** A stored condition as the API answers it: `target` the server's UUID, `server` its name. */
export function onTheWire(condition: Condition): ApiCondition {
  const { signature: _signature, ...answer } = condition;
  return {
    ...answer,
    target: uuidOf(condition.target),
    server: condition.target,
  } as ApiCondition;
}
export const BMC_PASSWORD = 'hunter2-very-secret';
/** The API's JWT secret in tests: distinctive, so a test can look for it in logs and answers. */
export const JWT_SECRET = 'test-jwt-secret-0123456789-abcdefghijklmnop';

export type Claims = Record<string, unknown>;

/**
 * A token as a client would send it: HS256 with `secret`, claims `sub: "tester"`,
 * `scope: "admin"`, issued now and expiring an hour ahead unless `claims` says otherwise;
 * `header` adds header parameters. A claim
 * given as `undefined` is left out (`{ exp: undefined }` makes a token that never expires).
 */
export function signToken(
  claims: Claims = {},
  secret = JWT_SECRET,
  algorithm: jwt.Algorithm = 'HS256',
  header: Record<string, unknown> = {},
): string {
  const all: Claims = {
    sub: 'tester',
    scope: 'admin',
    iat: Math.floor(Date.now() / 1000),
    exp: Math.floor(Date.now() / 1000) + 3600,
    ...claims,
  };
  const payload = Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined));
  // Signed as JSON text: jsonwebtoken then checks no claim, so tests can make any token a client
  // could.
  return jwt.sign(JSON.stringify(payload), secret, {
    algorithm,
    header: { alg: algorithm, ...header } as jwt.JwtHeader,
  });
}

/** `Authorization` header carrying `token`. */
export const bearer = (token: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
});

/**
 * node01..node16 (native IPMI; node01 and node02 with ids), rack2 = node[09-12], login1 without a
 * driver.
 */
export function inventoryYaml(): string {
  const rows = ['static_nodes:'];
  for (let i = 1; i <= 16; i++) {
    const name = `node${String(i).padStart(2, '0')}`;
    rows.push(`  ${name}:`, '    platform: ipmi');
    if (i === 1) rows.push(`    id: ${NODE01_ID}`);
    if (i === 2) rows.push(`    id: ${NODE02_ID}`);
    rows.push('    bmc:', `      host: 127.0.0.${i}`, `      password: ${BMC_PASSWORD}`);
  }
  rows.push('  login1:', '    ranks: [login]', 'groups:', '  rack2: "node[09-12]"');
  return `${rows.join('\n')}\n`;
}

/** A pino logger whose JSON lines are kept in memory for assertions. */
export function captureLogger(): {
  logger: Logger;
  lines: () => Array<Record<string, unknown>>;
  text: () => string;
} {
  const captured = capturingLogger();
  return { logger: captured.logger, lines: captured.events, text: captured.text };
}

export interface Harness {
  dir: string;
  dataDir: string;
  inventoryFile: string;
  nats: EmbeddedNats;
  api: ConditionsApi;
  /** http://127.0.0.1:<port> of the listening API. */
  baseUrl: string;
  port: number;
  /** A separate connection for looking at what the API wrote. */
  observer: NatsConnection;
  buckets: Buckets;
  /**
   * Conditions through the observer connection: to play the controller's part (finish a condition).
   */
  /** What the API signs conditions with; `store` signs its writes with them too. */
  signing: SigningKeys;
  store: ConditionStore;
  logs: () => Array<Record<string, unknown>>;
  /** Every log line as written, for looking for what must never appear. */
  logText: () => string;
  /** A valid token for this API (admin, subject "tester", unless `claims` says otherwise). */
  token(claims?: Claims): string;
  /** Stops nats-server and starts it again on the same port and data directory. */
  stopNats(): Promise<void>;
  startNats(): Promise<void>;
  close(): Promise<void>;
}

export type HarnessOptions = Pick<
  CreateAppOptions,
  'rateLimitPerMinute' | 'tls' | 'commandsDir' | 'faultInjection'
>;

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-conditions-api-'));
  const dataDir = join(dir, 'jetstream');
  const inventoryFile = join(dir, 'topology.yaml');
  writeFileSync(inventoryFile, inventoryYaml());
  let nats = await startEmbeddedNats({ dataDir });
  const { logger, lines, text } = captureLogger();
  const signing = randomSigningKeys();
  const api = await createApp({
    natsUrl: nats.url,
    inventoryFile,
    logger,
    jwtSecret: JWT_SECRET,
    signing,
    ...options,
  });
  await api.app.listen(0, '127.0.0.1');
  const port = (api.app.getHttpServer().address() as AddressInfo).port;
  const observer = await connectWithRetry({ servers: nats.url, name: 'test-observer' });
  const buckets = await openBuckets(observer);
  const harness: Harness = {
    dir,
    dataDir,
    inventoryFile,
    get nats() {
      return nats;
    },
    api,
    baseUrl: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    observer,
    buckets,
    signing,
    store: new ConditionStore(observer, buckets, { signing }),
    logs: lines,
    logText: text,
    token: (claims) => signToken(claims),
    async stopNats() {
      await nats.stop();
    },
    async startNats() {
      nats = await startEmbeddedNats({ dataDir, port: nats.port });
    },
    async close() {
      await api.close();
      await Promise.race([
        observer.close().catch(() => undefined),
        sleep(2000, undefined, { ref: false }),
      ]);
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return harness;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

/** Sends the path exactly as written (no URL normalisation), over real HTTP. */
export function rawHttp(
  port: number,
  method: string,
  path: string,
  body?: string | Buffer,
  headers: Record<string, string> = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: text,
            json: <T>() => JSON.parse(text) as T,
          });
        });
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/**
 * How far the queue and the claims have got: equal marks before and after a request mean
 * it queued nothing and claimed nothing. (The records bucket is left out on purpose: a
 * create that loses the claim race writes its record and deletes it again.)
 */
export interface QueueMarks {
  /** Last sequence of the work-queue stream (messages published). */
  queue: number;
  /** Last sequence of KV_ACTIVE (claims made or released). */
  active: number;
}

export async function queueMarks(nc: NatsConnection): Promise<QueueMarks> {
  const jsm = await jetstreamManager(nc);
  const last = async (stream: string) => (await jsm.streams.info(stream)).state.last_seq;
  return { queue: await last(STREAM_CONDITIONS), active: await last(`KV_${KV_ACTIVE}`) };
}

/** Polls until `check` is true or the time is up. */
export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
