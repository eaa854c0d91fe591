import { mkdtempSync, rmSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import {
  CONTROLLER_CONSUMER,
  STREAM_CONDITIONS,
  STREAM_OUTPUT,
  conditionSubject,
} from '@switchboard/condition-types';
import { connectWithRetry } from './connect';
import { EmbeddedNats, startEmbeddedNats } from './embedded-server';
import { freePort } from './free-port';
import { provision } from './provision';

describe('embedded nats-server and provisioning', () => {
  let dir: string;
  let nats: EmbeddedNats;
  let nc: NatsConnection;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-nats-'));
    nats = await startEmbeddedNats({ dataDir: join(dir, 'js') });
    nc = await connectWithRetry({ servers: nats.url, name: 'test' });
  });

  afterAll(async () => {
    await nc?.close();
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on loopback with JetStream enabled', async () => {
    expect(nats.url).toMatch(/^nats:\/\/127\.0\.0\.1:\d+$/);
    const jsm = await jetstreamManager(nc);
    // A JetStream account answers with its storage; a fresh data directory holds no stream yet.
    const info = await jsm.getAccountInfo();
    expect(info.streams).toBe(0);
    expect(info.limits.max_storage).not.toBe(0);
  });

  it('provisions stream, consumer and buckets, and doing it twice is harmless', async () => {
    const first = await provision(nc);
    await first.conditions.put('c.keep', 'kept');
    const jsm = await jetstreamManager(nc);
    await jsm.streams.info(STREAM_CONDITIONS);
    const js = (await import('@nats-io/jetstream')).jetstream(nc);
    await js.publish(conditionSubject('serverControl', 'node01'), 'work');

    const second = await provision(nc);
    expect((await second.conditions.get('c.keep'))?.string()).toBe('kept');
    const stream = await jsm.streams.info(STREAM_CONDITIONS);
    expect(stream.state.messages).toBe(1);
    const consumer = await jsm.consumers.info(STREAM_CONDITIONS, CONTROLLER_CONSUMER);
    expect(consumer.config.durable_name).toBe(CONTROLLER_CONSUMER);
    expect(stream.config.retention).toBe('workqueue');
    expect((await second.controllers.status()).ttl).toBe(30_000);
    const output = await jsm.streams.info(STREAM_OUTPUT);
    expect(output.config.retention).toBe('limits');
  });

  it('claims a server atomically: a second create of the same key fails', async () => {
    const { active } = await provision(nc);
    await active.create('node42', 'first');
    await expect(active.create('node42', 'second')).rejects.toThrow();
    await active.delete('node42');
    await expect(active.create('node42', 'third')).resolves.toBeGreaterThan(0);
  });
});

describe('connectWithRetry', () => {
  it('waits for a server that starts later instead of failing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-nats-late-'));
    const port = await freePort();
    const connecting = connectWithRetry({
      servers: `nats://127.0.0.1:${port}`,
      name: 'late',
      initialDelayMs: 50,
      maxDelayMs: 200,
    });
    await new Promise((r) => setTimeout(r, 600));
    const nats = await startEmbeddedNats({ dataDir: dir, port });
    try {
      const nc = await connecting;
      expect(nc.isClosed()).toBe(false);
      await nc.close();
    } finally {
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives up when aborted', async () => {
    const port = await freePort();
    const ac = new AbortController();
    const connecting = connectWithRetry({
      servers: `nats://127.0.0.1:${port}`,
      name: 'aborted',
      initialDelayMs: 50,
      signal: ac.signal,
    });
    setTimeout(() => ac.abort(), 200);
    await expect(connecting).rejects.toThrow();
  });

  it('reports a nats-server that cannot start, with its own message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-nats-busy-'));
    const busy = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => busy.once('listening', r));
    const port = (busy.address() as AddressInfo).port;
    try {
      await expect(startEmbeddedNats({ dataDir: dir, port })).rejects.toThrow(
        /nats-server exited with status 1 before it was ready: .*address already in use/,
      );
    } finally {
      busy.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
