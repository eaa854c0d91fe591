import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@switchboard/logging';
import { silentLogger } from '@switchboard/logging';
import type { NatsCredentials } from './credentials';
import { EmbeddedNats, startEmbeddedNats } from './embedded-server';
import { NatsServerTls, writeNatsServerConfig } from './server-config';
import { freePort } from './free-port';

export interface EmbeddedClusterOptions {
  /** Servers in the cluster (3 for replicated streams that survive one loss). */
  size: number;
  /** Each member keeps its JetStream store in `<dataDir>/<name>`. */
  dataDir: string;
  host?: string;
  /** Client ports: member i listens on `clientPorts[i]` (default: free ports). */
  clientPorts?: number[];
  /** Route ports (default: free ports). */
  clusterPorts?: number[];
  /** HTTP monitoring ports (default: free ports); /jsz tells the meta leader. */
  monitorPorts?: number[];
  clusterName?: string;
  logger?: Logger;
  binary?: string;
  /** How long the members may take to elect a JetStream meta leader (default 20 000 ms). */
  readyTimeoutMs?: number;
  /**
   * Require these credentials of clients (a user per role) and of routes: the members share
   * one configuration file, written into the credentials' directory.
   */
  credentials?: NatsCredentials;
  /** TLS for clients (with credentials only). */
  tls?: NatsServerTls;
}

export interface ClusterMember {
  /** server_name: what JetStream reports as a stream's leader. */
  readonly name: string;
  readonly url: string;
  readonly port: number;
  readonly clusterPort: number;
  readonly monitorPort: number;
  running(): boolean;
  pid(): number | undefined;
  /** kill -9, as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same ports and store (after kill or stop). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface EmbeddedCluster {
  members: ClusterMember[];
  urls: string[];
  /** The members' client URLs, comma-separated: what NATS_URL takes. */
  url: string;
  member(name: string): ClusterMember;
  /** Resolves once a JetStream meta leader is elected and every running member knows it. */
  ready(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

interface Jsz {
  meta_cluster?: { leader?: string; cluster_size?: number };
}

async function metaLeader(host: string, monitorPort: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://${host}:${monitorPort}/jsz`, {
      signal: AbortSignal.timeout(2000),
    });
    return ((await res.json()) as Jsz).meta_cluster?.leader || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A NATS cluster of `size` nats-server processes on loopback, routed to each other, each with
 * JetStream and its own store: the clustered sandbox, the chaos test and the benchmark run on
 * it. Members can be killed and restarted one by one; a restarted member keeps its ports and
 * store and catches up from the others.
 */
export async function startEmbeddedCluster(opts: EmbeddedClusterOptions): Promise<EmbeddedCluster> {
  if (!Number.isInteger(opts.size) || opts.size < 1)
    throw new Error(`a NATS cluster needs at least one server, got ${opts.size}`);
  const host = opts.host ?? '127.0.0.1';
  const log = opts.logger ?? silentLogger;
  const clusterName = opts.clusterName ?? 'switchboard';
  const ports = async (given: number[] | undefined, what: string): Promise<number[]> => {
    if (given && given.length !== opts.size)
      throw new Error(`${what}: ${given.length} given for ${opts.size} servers`);
    return given ?? Promise.all(Array.from({ length: opts.size }, () => freePort(host)));
  };
  const clientPorts = await ports(opts.clientPorts, 'client ports');
  const clusterPorts = await ports(opts.clusterPorts, 'cluster ports');
  const monitorPorts = await ports(opts.monitorPorts, 'monitor ports');
  const routes = clusterPorts.map((p) => `nats://${host}:${p}`);
  // With credentials each member's cluster settings (routes, their password) are in its own
  // configuration file, never on the command line.
  const configFileOf = (name: string, clusterPort: number) =>
    opts.credentials &&
    writeNatsServerConfig(
      opts.credentials,
      { cluster: { name: clusterName, listen: `${host}:${clusterPort}`, routes }, tls: opts.tls },
      `${name}.conf`,
    );

  const members: ClusterMember[] = clientPorts.map((port, i) => {
    const name = `nats-${i + 1}`;
    const configFile = configFileOf(name, clusterPorts[i]);
    const options = {
      dataDir: join(opts.dataDir, name),
      host,
      port,
      serverName: name,
      cluster: configFile ? undefined : { name: clusterName, port: clusterPorts[i], routes },
      configFile,
      monitorPort: monitorPorts[i],
      binary: opts.binary,
      logger: log,
    };
    let server: EmbeddedNats | undefined;
    let alive = false;
    const start = async () => {
      server = await startEmbeddedNats(options);
      alive = true;
      void server.exited.then(() => (alive = false));
    };
    return {
      name,
      url: `nats://${host}:${port}`,
      port,
      clusterPort: clusterPorts[i],
      monitorPort: monitorPorts[i],
      running: () => alive,
      pid: () => (alive ? server?.pid : undefined),
      start,
      async kill() {
        if (!server || !alive) return;
        server.kill();
        await server.exited;
        log.warn({ event: 'nats.cluster.killed', member: name }, `${name} killed`);
      },
      async restart() {
        if (alive) return;
        await start();
        log.info({ event: 'nats.cluster.restarted', member: name }, `${name} started again`);
      },
      async stop() {
        if (server && alive) await server.stop();
      },
    };
  });

  const cluster: EmbeddedCluster = {
    members,
    urls: members.map((m) => m.url),
    url: members.map((m) => m.url).join(','),
    member(name) {
      const m = members.find((x) => x.name === name);
      if (!m) throw new Error(`no NATS cluster member named ${name}`);
      return m;
    },
    async ready(timeoutMs = opts.readyTimeoutMs ?? 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const running = members.filter((m) => m.running());
        const leaders = await Promise.all(running.map((m) => metaLeader(host, m.monitorPort)));
        const leader = leaders[0];
        if (leader && leaders.every((l) => l === leader) && running.some((m) => m.name === leader))
          return;
        if (Date.now() > deadline) {
          const said = running.map((m, i) => `${m.name}: ${leaders[i] ?? 'none'}`).join(', ');
          throw new Error(
            `NATS cluster: no JetStream meta leader agreed on within ${timeoutMs} ms (${said})`,
          );
        }
        await sleep(100);
      }
    },
    async stop() {
      await Promise.all(members.map((m) => m.stop()));
    },
  };

  try {
    // Together: each waits for its routes, and JetStream elects a leader once a majority is up.
    await Promise.all(
      members.map((m) => (m as ClusterMember & { start(): Promise<void> }).start()),
    );
    await cluster.ready();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  log.info(
    { event: 'nats.cluster.started', members: members.map((m) => m.name), url: cluster.url },
    `NATS cluster of ${opts.size} started`,
  );
  return cluster;
}
