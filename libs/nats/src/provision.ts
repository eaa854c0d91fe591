import { setTimeout as sleep } from 'node:timers/promises';
import type { NatsConnection } from '@nats-io/nats-core';
import {
  AckPolicy,
  DeliverPolicy,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream';
import type { JetStreamManager, StreamConfig } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { KV, KvOptions } from '@nats-io/kv';
import {
  CONTROLLER_CONSUMER,
  CONTROLLER_HEARTBEAT_TTL_MS,
  BMC_LEASE_TTL_MS,
  KV_ACTIVE,
  KV_BMC_LEASES,
  KV_CONDITIONS,
  KV_CONTROLLERS,
  KV_IDEMPOTENCY,
  IDEMPOTENCY_WINDOW_MS,
  OUTPUT_RETENTION_MS,
  OUTPUT_SUBJECT_PREFIX,
  STREAM_CONDITIONS,
  STREAM_OUTPUT,
  SUBJECT_ALL_CONDITIONS,
} from '@switchboard/condition-types';
import type { Logger } from '@switchboard/logging';
import { silentLogger } from '@switchboard/logging';
import { chooseReplicas, ReplicaChoice, replicasFromEnv } from './replicas';

export interface Buckets {
  conditions: KV;
  active: KV;
  controllers: KV;
  bmcLeases: KV;
  /** Creates by Idempotency-Key (TTL: the documented window). */
  idempotency: KV;
}

/**
 * How long the controller may hold a condition between in-progress acks before redelivery:
 * also how soon a dead controller's conditions come back to the others (with its heartbeat's
 * expiry, the takeover time). Controllers send in-progress acks every 5 s.
 */
export const CONSUMER_ACK_WAIT_MS = 15_000;

export interface ProvisionOptions {
  /**
   * Replicas of the streams and buckets (the consumer follows its stream). Default:
   * NATS_REPLICAS from `env`, else 3 on a cluster of 3 or more and 1 on a single server.
   */
  replicas?: number;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
}

/** What provisioning found and did to one stream (a KV bucket is the stream KV_<bucket>). */
export interface ProvisionedAsset {
  name: string;
  /**
   * created; unchanged; scaled (replicas changed); kept (a default never scales down);
   * failed (JetStream refused the change: the asset is as it was).
   */
  action: 'created' | 'unchanged' | 'scaled' | 'kept' | 'failed';
  replicas: number;
  wanted: number;
  detail?: string;
}

export interface ProvisionReport {
  choice: ReplicaChoice;
  assets: ProvisionedAsset[];
}

const conditionsStream = (replicas: number): StreamConfig =>
  ({
    name: STREAM_CONDITIONS,
    subjects: [SUBJECT_ALL_CONDITIONS],
    // A condition is work to be done once: it leaves the stream when a controller acks it.
    retention: RetentionPolicy.Workqueue,
    storage: StorageType.File,
    num_replicas: replicas,
  }) as StreamConfig;

// Action output is kept (not consumed) so that a client joining late reads it from the start.
const outputStream = (replicas: number): StreamConfig =>
  ({
    name: STREAM_OUTPUT,
    subjects: [`${OUTPUT_SUBJECT_PREFIX}.>`],
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    max_age: OUTPUT_RETENTION_MS * 1_000_000,
    num_replicas: replicas,
  }) as StreamConfig;

/*
 * Every bucket is read through its stream's leader (allow_direct off). Direct gets may be served
 * by any replica, and a replica may answer with what it held before it caught up (nats-server
 * before 2.9.17 did so after a restart; later ones still promise no read-after-write): a claim
 * read stale, or a live controller's heartbeat read as missing, would start a second operation
 * on a BMC. Reads through the leader cost about the same here (see the README's benchmarks).
 */
const bucketOptions: Array<[string, Partial<KvOptions>]> = [
  [KV_CONDITIONS, { history: 1 }],
  [KV_ACTIVE, { history: 1 }],
  // Heartbeats expire on their own: a dead controller's key disappears.
  [KV_CONTROLLERS, { history: 1, ttl: CONTROLLER_HEARTBEAT_TTL_MS }],
  // A lease of a dead replica expires on its own, like its heartbeat.
  [KV_BMC_LEASES, { history: 1, ttl: BMC_LEASE_TTL_MS }],
  // A key answers its repeats for the window, then is gone.
  [KV_IDEMPOTENCY, { history: 1, ttl: IDEMPOTENCY_WINDOW_MS }],
];

const notFound = (err: unknown) => /not found/i.test((err as Error).message);

/**
 * An existing stream's replicas against the wanted count. An explicit NATS_REPLICAS is applied
 * both ways; a default only scales up (a process started without the setting must not undo an
 * operator's choice). Scaling keeps every message: JetStream copies the stream to the new peers
 * or drops peers, never the data. When JetStream refuses (too few servers up), the stream stays
 * as it was and the report says why: the system keeps working at the old count.
 */
async function reconcileReplicas(
  jsm: JetStreamManager,
  name: string,
  choice: ReplicaChoice,
): Promise<ProvisionedAsset> {
  const info = await jsm.streams.info(name);
  const current = info.config.num_replicas || 1;
  const wanted = choice.replicas;
  if (current === wanted) return { name, action: 'unchanged', replicas: current, wanted };
  if (current > wanted && choice.source !== 'NATS_REPLICAS')
    return {
      name,
      action: 'kept',
      replicas: current,
      wanted,
      detail: `has ${current} replicas; a default (${wanted}) only scales up; NATS_REPLICAS does`,
    };
  try {
    await jsm.streams.update(name, { ...info.config, num_replicas: wanted });
    // The stream elects a leader among its new peers; until then it answers nothing.
    await waitForLeader(jsm, name);
    return { name, action: 'scaled', replicas: wanted, wanted, detail: `from ${current}` };
  } catch (err) {
    return {
      name,
      action: 'failed',
      replicas: current,
      wanted,
      detail: `JetStream refused ${current} -> ${wanted} replicas: ${(err as Error).message}`,
    };
  }
}

/** How long a stream may take to elect a leader after it was scaled. */
const SCALE_SETTLE_MS = 20_000;

async function waitForLeader(jsm: JetStreamManager, name: string): Promise<void> {
  const deadline = Date.now() + SCALE_SETTLE_MS;
  for (;;) {
    const info = await jsm.streams.info(name).catch(() => undefined);
    if (info && (info.config.num_replicas <= 1 || info.cluster?.leader)) return;
    if (Date.now() > deadline)
      throw new Error(`no leader elected within ${SCALE_SETTLE_MS} ms after scaling`);
    await sleep(100);
  }
}

async function ensureStream(
  jsm: JetStreamManager,
  config: StreamConfig,
  choice: ReplicaChoice,
): Promise<ProvisionedAsset> {
  try {
    const info = await jsm.streams.info(config.name);
    // Settings other than replicas are ours to keep current; replicas are reconciled apart.
    await jsm.streams.update(config.name, { ...config, num_replicas: info.config.num_replicas });
  } catch (err) {
    if (!notFound(err)) throw err;
    try {
      await jsm.streams.add(config);
      return {
        name: config.name,
        action: 'created',
        replicas: choice.replicas,
        wanted: choice.replicas,
      };
    } catch (addErr) {
      // Another process created it between our look and our add: reconcile it like any other.
      if (!/already in use/i.test((addErr as Error).message)) throw addErr;
    }
  }
  return reconcileReplicas(jsm, config.name, choice);
}

async function ensureConsumer(jsm: JetStreamManager): Promise<void> {
  const config = {
    durable_name: CONTROLLER_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: CONSUMER_ACK_WAIT_MS * 1_000_000,
    max_ack_pending: 10_000,
    filter_subject: SUBJECT_ALL_CONDITIONS,
    // 0: as many replicas as its stream, and it follows the stream when that is scaled.
    num_replicas: 0,
  };
  try {
    await jsm.consumers.info(STREAM_CONDITIONS, CONTROLLER_CONSUMER);
    await jsm.consumers.update(STREAM_CONDITIONS, CONTROLLER_CONSUMER, {
      ack_wait: config.ack_wait,
      max_ack_pending: config.max_ack_pending,
    });
  } catch (err) {
    if (!/consumer not found/i.test((err as Error).message)) throw err;
    await jsm.consumers.add(STREAM_CONDITIONS, config);
  }
}

async function ensureBucket(
  nc: NatsConnection,
  jsm: JetStreamManager,
  name: string,
  options: Partial<KvOptions>,
  choice: ReplicaChoice,
): Promise<ProvisionedAsset> {
  const stream = `KV_${name}`;
  const existing = await jsm.streams.info(stream).catch((err) => {
    if (notFound(err)) return undefined;
    throw err;
  });
  // Kvm.create leaves an existing bucket as it is (replicas included): reconciled below.
  await new Kvm(nc).create(name, {
    ...options,
    storage: StorageType.File,
    replicas: choice.replicas,
    allow_direct: false,
  });
  if (existing?.config.allow_direct)
    await jsm.streams.update(stream, { ...existing.config, allow_direct: false });
  if (!existing)
    return { name: stream, action: 'created', replicas: choice.replicas, wanted: choice.replicas };
  return reconcileReplicas(jsm, stream, choice);
}

/**
 * Creates the stream, the controllers' durable consumer and the KV buckets, or brings existing
 * ones to the wanted replicas (see reconcileReplicas): every process calls this at start, in
 * any order, and nothing is ever deleted.
 */
export async function ensureJetStream(
  nc: NatsConnection,
  opts: ProvisionOptions = {},
): Promise<ProvisionReport> {
  const choice = chooseReplicas(nc, opts.replicas ?? replicasFromEnv(opts.env ?? process.env));
  const jsm = await jetstreamManager(nc);
  const assets = [
    await ensureStream(jsm, conditionsStream(choice.replicas), choice),
    await ensureStream(jsm, outputStream(choice.replicas), choice),
  ];
  await ensureConsumer(jsm);
  for (const [name, options] of bucketOptions)
    assets.push(await ensureBucket(nc, jsm, name, options, choice));
  logReport(opts.logger ?? silentLogger, { choice, assets });
  return { choice, assets };
}

function logReport(log: Logger, report: ProvisionReport): void {
  if (report.choice.note)
    log.error({ event: 'nats.replicas_unsupported', ...report.choice }, report.choice.note);
  for (const a of report.assets) {
    if (a.action === 'failed')
      log.error({ event: 'nats.replicas_failed', ...a }, `${a.name}: ${a.detail}`);
    else if (a.action === 'kept')
      log.warn({ event: 'nats.replicas_kept', ...a }, `${a.name}: ${a.detail}`);
    else if (a.action === 'scaled')
      log.info({ event: 'nats.replicas_scaled', ...a }, `${a.name}: ${a.replicas} replicas`);
  }
  log.info(
    {
      event: 'nats.replicas',
      replicas: report.choice.replicas,
      source: report.choice.source,
      clusterSize: report.choice.clusterSize,
    },
    `JetStream stream, consumer and buckets at ${report.choice.replicas} replicas`,
  );
}

/** ensureJetStream, then the buckets opened for use. */
export async function provision(nc: NatsConnection, opts: ProvisionOptions = {}): Promise<Buckets> {
  await ensureJetStream(nc, opts);
  return openBuckets(nc);
}

export async function openBuckets(nc: NatsConnection): Promise<Buckets> {
  const kvm = new Kvm(nc);
  const [conditions, active, controllers, bmcLeases, idempotency] = await Promise.all(
    [KV_CONDITIONS, KV_ACTIVE, KV_CONTROLLERS, KV_BMC_LEASES, KV_IDEMPOTENCY].map((name) =>
      kvm.open(name),
    ),
  );
  return { conditions, active, controllers, bmcLeases, idempotency };
}

/**
 * provision, tried again while JetStream is not ready (a cluster electing its meta leader, a
 * stream short of peers): a process that starts with its cluster must wait for it, not die.
 */
export async function provisionWithRetry(
  nc: NatsConnection,
  opts: ProvisionOptions & { attempts?: number; signal?: AbortSignal } = {},
): Promise<Buckets> {
  const log = opts.logger ?? silentLogger;
  let delay = 200;
  for (let attempt = 1; ; attempt++) {
    opts.signal?.throwIfAborted();
    try {
      return await provision(nc, opts);
    } catch (err) {
      if (attempt >= (opts.attempts ?? 10))
        throw new Error(`could not provision NATS stream and buckets: ${(err as Error).message}`, {
          cause: err,
        });
      log.warn(
        { event: 'nats.provision_failed', attempt, retryInMs: delay, err: (err as Error).message },
        'provisioning failed, retrying',
      );
      await sleep(delay, undefined, { signal: opts.signal });
      delay = Math.min(delay * 2, 5000);
    }
  }
}
