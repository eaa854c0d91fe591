import type { NatsConnection } from '@nats-io/nats-core';

/** JetStream's own ceiling on replicas of a stream. */
export const MAX_REPLICAS = 5;

export interface ReplicaChoice {
  replicas: number;
  /** Where the number came from: an explicit setting is applied, a default only ever scales up. */
  source: 'NATS_REPLICAS' | 'cluster size';
  clusterSize: number;
  /** Why the setting was not followed (NATS_REPLICAS above 1 on a server outside a cluster). */
  note?: string;
}

/**
 * How many servers the cluster of the server we are connected to has, as that server tells its
 * clients (the client URLs of the cluster's members in its INFO). 1 when it is not clustered.
 * A member that is down at this moment is not counted: set NATS_REPLICAS where that matters.
 */
export function clusterSize(nc: NatsConnection): number {
  const info = nc.info;
  if (!info?.cluster) return 1;
  return Math.max(1, new Set(info.connect_urls ?? []).size);
}

/** NATS_REPLICAS: an integer from 1 to 5, or absent (undefined). */
export function replicasFromEnv(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.NATS_REPLICAS?.trim();
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_REPLICAS)
    throw new Error(`NATS_REPLICAS must be an integer from 1 to ${MAX_REPLICAS}, got "${raw}"`);
  return n;
}

/**
 * The replica count of the stream, consumer and buckets: NATS_REPLICAS when set, else 3 on a
 * cluster of 3 or more (a majority survives one lost server) and 1 otherwise (R2 would stop
 * accepting writes when either of its two servers is down: no better than R1).
 */
export function chooseReplicas(nc: NatsConnection, explicit?: number): ReplicaChoice {
  const size = clusterSize(nc);
  // A server outside a cluster takes any replica count and keeps one copy: say so, ask for 1.
  if (explicit !== undefined && explicit > 1 && !nc.info?.cluster)
    return {
      replicas: 1,
      source: 'NATS_REPLICAS',
      clusterSize: size,
      note: `NATS_REPLICAS=${explicit}, but the NATS server is not in a cluster: one copy only`,
    };
  if (explicit !== undefined)
    return { replicas: explicit, source: 'NATS_REPLICAS', clusterSize: size };
  return { replicas: size >= 3 ? 3 : 1, source: 'cluster size', clusterSize: size };
}
