import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import type { NatsConnection } from '@nats-io/nats-core';
import type { Logger } from '@switchboard/logging';
import { Buckets, EmbeddedNats, connectWithRetry, openBuckets, startEmbeddedNats } from '@switchboard/nats';
import { ConditionsApi, createApp } from '../app';

export const NODE01_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
export const NODE02_ID = '16fd2706-8baf-433b-82eb-8c7fada847da';
export const BMC_PASSWORD = 'hunter2-very-secret';

/** node01..node16 (native IPMI; node01 and node02 with ids), rack2 = node[09-12], login1 without a driver. */
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
export function captureLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
  const out: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      out.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  return { logger, lines: () => out.map((l) => JSON.parse(l) as Record<string, unknown>) };
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
  logs: () => Array<Record<string, unknown>>;
  /** Stops nats-server and starts it again on the same port and data directory. */
  stopNats(): Promise<void>;
  startNats(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-conditions-api-'));
  const dataDir = join(dir, 'jetstream');
  const inventoryFile = join(dir, 'topology.yaml');
  writeFileSync(inventoryFile, inventoryYaml());
  let nats = await startEmbeddedNats({ dataDir });
  const { logger, lines } = captureLogger();
  const api = await createApp({ natsUrl: nats.url, inventoryFile, logger });
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
    baseUrl: `http://127.0.0.1:${port}`,
    port,
    observer,
    buckets,
    logs: lines,
    async stopNats() {
      await nats.stop();
    },
    async startNats() {
      nats = await startEmbeddedNats({ dataDir, port: nats.port });
    },
    async close() {
      await api.close();
      await Promise.race([observer.close().catch(() => undefined), sleep(2000, undefined, { ref: false })]);
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
export function rawHttp(port: number, method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: <T>() => JSON.parse(text) as T });
      });
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** Polls until `check` is true or the time is up. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
