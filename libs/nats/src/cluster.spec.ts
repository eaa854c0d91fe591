import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/nats-core';
import { Kvm } from '@nats-io/kv';
import {
  CONTROLLER_CONSUMER,
  KV_CONDITIONS,
  STREAM_CONDITIONS,
  conditionSubject,
} from '@switchboard/condition-types';
import { connectWithRetry } from './connect';
import { EmbeddedCluster, startEmbeddedCluster } from './embedded-cluster';
import { startEmbeddedNats } from './embedded-server';
import { ensureJetStream, provision } from './provision';
import { clusterSize } from './replicas';

jest.setTimeout(120_000);

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  ms = 30_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const replicasOf = async (jsm: JetStreamManager, stream: string) =>
  (await jsm.streams.info(stream)).config.num_replicas;

describe('a three-server NATS cluster on loopback', () => {
  let dir: string;
  let cluster: EmbeddedCluster;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-nats-cluster-'));
    cluster = await startEmbeddedCluster({ size: 3, dataDir: dir });
    nc = await connectWithRetry({ servers: cluster.url, name: 'cluster-test' });
    jsm = await jetstreamManager(nc);
  });

  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('forms one cluster that reports its three members to clients', () => {
    expect(cluster.urls).toHaveLength(3);
    expect(cluster.url.split(',')).toEqual(cluster.urls);
    expect(clusterSize(nc)).toBe(3);
  });

  it('scales an existing one-replica deployment to three, keeping its data', async () => {
    const first = await ensureJetStream(nc, { replicas: 1 });
    expect(first.assets.every((a) => a.action === 'created' && a.replicas === 1)).toBe(true);
    const js = jetstream(nc);
    await js.publish(conditionSubject('serverControl', 'node01'), 'queued before scaling');
    const buckets = await provision(nc, { replicas: 1 });
    await buckets.conditions.put('c.kept', 'kept');

    const second = await ensureJetStream(nc, { env: {} });
    expect(second.choice).toEqual({ replicas: 3, source: 'cluster size', clusterSize: 3 });
    expect(second.assets.map((a) => [a.name, a.action, a.replicas])).toEqual([
      ['SWITCHBOARD_CONDITIONS', 'scaled', 3],
      ['SWITCHBOARD_OUTPUT', 'scaled', 3],
      ['KV_switchboard-conditions', 'scaled', 3],
      ['KV_switchboard-active', 'scaled', 3],
      ['KV_switchboard-controllers', 'scaled', 3],
      ['KV_switchboard-bmc-leases', 'scaled', 3],
      ['KV_switchboard-idempotency', 'scaled', 3],
    ]);
    expect(await replicasOf(jsm, STREAM_CONDITIONS)).toBe(3);
    expect(await replicasOf(jsm, `KV_${KV_CONDITIONS}`)).toBe(3);
    // Read through the leader only: a replica catching up must never answer a claim's read.
    expect((await jsm.streams.info(`KV_${KV_CONDITIONS}`)).config.allow_direct).toBe(false);
    // The consumer follows its stream: two followers besides its leader.
    await until('consumer replicas', async () => {
      const info = await jsm.consumers.info(STREAM_CONDITIONS, CONTROLLER_CONSUMER);
      return info.cluster?.replicas?.length === 2 ? true : undefined;
    });
    expect((await jsm.streams.info(STREAM_CONDITIONS)).state.messages).toBe(1);
    expect((await buckets.conditions.get('c.kept'))?.string()).toBe('kept');
  });

  it('scales down only when NATS_REPLICAS says so; reports what JetStream refuses', async () => {
    const byDefault = await ensureJetStream(nc, { env: {} });
    expect(byDefault.assets.every((a) => a.action === 'unchanged')).toBe(true);

    const tooMany = await ensureJetStream(nc, { env: { NATS_REPLICAS: '5' } });
    const refused = tooMany.assets.find((a) => a.name === STREAM_CONDITIONS)!;
    expect(refused).toMatchObject({ action: 'failed', replicas: 3, wanted: 5 });
    expect(refused.detail).toMatch(/^JetStream refused 3 -> 5 replicas: .+/);
    expect(await replicasOf(jsm, STREAM_CONDITIONS)).toBe(3);

    const down = await ensureJetStream(nc, { env: { NATS_REPLICAS: '1' } });
    expect(down.assets.every((a) => a.action === 'scaled' && a.replicas === 1)).toBe(true);
    const defaultAfter = await ensureJetStream(nc, { env: {} });
    // A default of 3 would scale up again: that is the rule (only explicit settings go down).
    expect(defaultAfter.assets.every((a) => a.action === 'scaled')).toBe(true);
    expect((await jsm.streams.info(STREAM_CONDITIONS)).state.messages).toBe(1);
  });

  it('takes publishes when the stream leader is killed; the member catches up', async () => {
    await provision(nc, { env: {} });
    const leaderName = (await jsm.streams.info(STREAM_CONDITIONS)).cluster!.leader!;
    const leader = cluster.member(leaderName);
    const before = (await jsm.streams.info(STREAM_CONDITIONS)).state.messages;
    await leader.kill();

    const js = jetstream(nc);
    // The next publish may meet the election; JetStream answers it once a new leader is in.
    const ack = await until('a publish after the leader died', () =>
      js.publish(conditionSubject('serverControl', 'node02'), 'after', { msgID: 'after-kill' }),
    );
    expect(ack.duplicate).toBe(false);
    const newLeader = (await jsm.streams.info(STREAM_CONDITIONS)).cluster!.leader!;
    expect(newLeader).not.toBe(leaderName);
    expect((await jsm.streams.info(STREAM_CONDITIONS)).state.messages).toBe(before + 1);

    await leader.restart();
    await cluster.ready();
    await until('the restarted member current', async () => {
      const info = await jsm.streams.info(STREAM_CONDITIONS);
      const peer = info.cluster?.replicas?.find((r) => r.name === leaderName);
      return peer?.current ? true : undefined;
    });
  });

  it('a client whose server dies reconnects to another member and keeps working', async () => {
    const target = cluster.members[0];
    const own = await connectWithRetry({ servers: target.url, name: 'pinned' });
    try {
      // The member restarted by the test before may still be catching up: wait for it.
      const buckets = await until('provisioning through one member', () =>
        provision(own, { env: {} }),
      );
      await target.kill();
      await until('a KV write after reconnecting', () => buckets.active.put('moved', 'yes'));
      expect(own.getServer()).not.toBe(target.url.replace('nats://', ''));
      expect((await buckets.active.get('moved'))?.string()).toBe('yes');
    } finally {
      await own.close();
      await target.restart();
      await cluster.ready();
    }
  });
});

describe('replicas on a single server', () => {
  it('default to one; NATS_REPLICAS above one is reported, a bad one refused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-nats-single-'));
    const nats = await startEmbeddedNats({ dataDir: dir });
    const nc = await connectWithRetry({ servers: nats.url, name: 'single' });
    try {
      // A bucket made by an earlier release (direct gets on) is switched to leader reads.
      await new Kvm(nc).create(KV_CONDITIONS, { history: 1, allow_direct: true });
      const report = await ensureJetStream(nc, { env: {} });
      const jsm = await jetstreamManager(nc);
      expect((await jsm.streams.info(`KV_${KV_CONDITIONS}`)).config.allow_direct).toBe(false);
      expect(report.choice).toEqual({ replicas: 1, source: 'cluster size', clusterSize: 1 });
      await expect(ensureJetStream(nc, { env: { NATS_REPLICAS: 'three' } })).rejects.toThrow(
        'NATS_REPLICAS must be an integer from 1 to 5, got "three"',
      );
      const asked = await ensureJetStream(nc, { env: { NATS_REPLICAS: '3' } });
      expect(asked.choice).toMatchObject({
        replicas: 1,
        note: 'NATS_REPLICAS=3, but the NATS server is not in a cluster: one copy only',
      });
      expect(asked.assets.every((a) => a.action === 'unchanged' && a.replicas === 1)).toBe(true);
    } finally {
      await nc.close();
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
