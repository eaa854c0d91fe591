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
import type { KV } from '@nats-io/kv';
import {
  CONTROLLER_CONSUMER,
  CONTROLLER_HEARTBEAT_TTL_MS,
  BMC_LEASE_TTL_MS,
  KV_ACTIVE,
  KV_BMC_LEASES,
  KV_CONDITIONS,
  KV_CONTROLLERS,
  OUTPUT_RETENTION_MS,
  OUTPUT_SUBJECT_PREFIX,
  STREAM_CONDITIONS,
  STREAM_OUTPUT,
  SUBJECT_ALL_CONDITIONS,
} from '@switchboard/condition-types';

export interface Buckets {
  conditions: KV;
  active: KV;
  controllers: KV;
  bmcLeases: KV;
}

/** How long the controller may hold a condition between in-progress acks before redelivery. */
export const CONSUMER_ACK_WAIT_MS = 30_000;

const streamConfig: Partial<StreamConfig> & { name: string } = {
  name: STREAM_CONDITIONS,
  subjects: [SUBJECT_ALL_CONDITIONS],
  // A condition is work to be done once: it leaves the stream when a controller acks it.
  retention: RetentionPolicy.Workqueue,
  storage: StorageType.File,
  num_replicas: 1,
};

// Action output is kept (not consumed) so that a client joining late reads it from the start.
const outputStreamConfig: Partial<StreamConfig> & { name: string } = {
  name: STREAM_OUTPUT,
  subjects: [`${OUTPUT_SUBJECT_PREFIX}.>`],
  retention: RetentionPolicy.Limits,
  storage: StorageType.File,
  max_age: OUTPUT_RETENTION_MS * 1_000_000,
  num_replicas: 1,
};

async function ensureStream(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string },
): Promise<void> {
  try {
    await jsm.streams.info(config.name);
    await jsm.streams.update(config.name, config);
  } catch (err) {
    if (!/stream not found/i.test((err as Error).message)) throw err;
    await jsm.streams.add(config);
  }
}

async function ensureConsumer(jsm: JetStreamManager): Promise<void> {
  const config = {
    durable_name: CONTROLLER_CONSUMER,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: CONSUMER_ACK_WAIT_MS * 1_000_000,
    max_ack_pending: 10_000,
    filter_subject: SUBJECT_ALL_CONDITIONS,
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

/**
 * Creates the stream, the controllers' durable consumer and the KV buckets, or leaves
 * them as they are when they exist: every process calls this at start, in any order.
 */
export async function provision(nc: NatsConnection): Promise<Buckets> {
  const jsm = await jetstreamManager(nc);
  await ensureStream(jsm, streamConfig);
  await ensureStream(jsm, outputStreamConfig);
  await ensureConsumer(jsm);
  return openBuckets(nc, true);
}

export async function openBuckets(nc: NatsConnection, create = false): Promise<Buckets> {
  const kvm = new Kvm(nc);
  const open = (name: string, opts: Parameters<Kvm['create']>[1]) =>
    create ? kvm.create(name, opts) : kvm.open(name);
  const [conditions, active, controllers, bmcLeases] = await Promise.all([
    open(KV_CONDITIONS, { history: 1, storage: StorageType.File }),
    open(KV_ACTIVE, { history: 1, storage: StorageType.File }),
    // Heartbeats expire on their own: a dead controller's key disappears.
    open(KV_CONTROLLERS, {
      history: 1,
      storage: StorageType.File,
      ttl: CONTROLLER_HEARTBEAT_TTL_MS,
    }),
    // A lease of a dead replica expires on its own, like its heartbeat.
    open(KV_BMC_LEASES, { history: 1, storage: StorageType.File, ttl: BMC_LEASE_TTL_MS }),
  ]);
  return { conditions, active, controllers, bmcLeases };
}
