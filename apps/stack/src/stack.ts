import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { SimulatedFleet } from '@switchboard/bmc-sim';
import { foldNames, loadInventory } from '@switchboard/inventory';
import type { Logger } from '@switchboard/logging';
import {
  EmbeddedCluster,
  NatsCredentials,
  NatsRole,
  chooseReplicas,
  connectWithRetry,
  ensureNatsCredentials,
  provisionWithRetry,
  readNatsAuth,
  replicasFromEnv,
  startEmbeddedCluster,
  writeNatsServerConfig,
} from '@switchboard/nats';
import { ensureSecretFile, mintToken } from '@switchboard/auth';
import { ensureKeyFile, KEY_FILE_VARIABLE } from '@switchboard/condition-signing';
import { Supervised, supervise } from './child-process';
import { startSandboxBmcs } from './sandbox-bmcs';
import { SandboxCloud, startSandboxCloud } from './sandbox-cloud';
import { SupervisedNats, superviseNats } from './supervise-nats';
import { sandboxBmcPassword } from './sandbox-secret';
import { embeddedNatsTls, withoutNatsCredentials } from './nats-security';

export interface StackOptions {
  inventoryFile: string;
  dataDir: string;
  logger: Logger;
  /** Use this NATS instead of starting one. */
  natsUrl?: string;
  /** Port of the embedded nats-server (default 4222); a cluster's take it and the next ones. */
  natsPort?: number;
  /** Start a NATS cluster of this many servers instead of one (routed on loopback). */
  natsCluster?: number;
  /** First route port of the cluster's members (default 6222, then 6223, ...). */
  natsClusterPort?: number;
  /** First HTTP monitoring port of the cluster's members (default 8222, then 8223, ...). */
  natsMonitorPort?: number;
  /** Conditions API processes (default 1), on apiPort, apiPort + 1, ... */
  apis?: number;
  /** Controller processes (default 1). */
  controllers?: number;
  /** First API port (default 9001). */
  apiPort?: number;
  apiHost?: string;
  /** Also start one simulated BMC per IPMI server of the inventory. */
  sandbox?: boolean;
  /** OpenFlight Action commands directory for the API and controller (COMMANDS_DIR). */
  commandsDir?: string;
  /** Write each API's and controller's output to `<logDir>/<name>.log` instead of this terminal. */
  logDir?: string;
  /** Extra environment for the API and controller (e.g. test timeouts). */
  env?: NodeJS.ProcessEnv;
  /** Node flags for the API and controller processes (e.g. `--cpu-prof` for a profile). */
  nodeArgs?: readonly string[];
}

export interface Stack {
  /** What NATS_URL is for the API and controllers: one URL, or the cluster's comma-separated. */
  natsUrl: string;
  /** The embedded cluster, when one was started (members can be killed and restarted). */
  natsCluster?: EmbeddedCluster;
  /**
   * The credentials the embedded NATS requires (`<dataDir>/nats-credentials`), when the stack
   * started it; none with a NATS_URL of the operator's.
   */
  natsCredentials?: NatsCredentials;
  /** Replicas of the streams and buckets (NATS_REPLICAS, or from the cluster size). */
  natsReplicas: number;
  /** The first API; `apiUrls` has every one. */
  apiUrl: string;
  apiUrls: string[];
  servers: string[];
  /** The inventory the API and controller read (a generated copy with the sandbox's AWS nodes). */
  inventoryFile: string;
  bmcs?: SimulatedFleet;
  /** Sandbox only: an admin token for mctl, also written to `tokenFile`. */
  token?: string;
  tokenFile?: string;
  /** The API and controller processes (for their pids: benchmarks read their memory). */
  processes: Supervised[];
  /** The embedded nats-server, when the stack started one. */
  nats?: SupervisedNats;
  apis: Supervised[];
  controllers: Supervised[];
  stop(): Promise<void>;
}

/**
 * Node flags of a controller process. A larger young generation (semi-spaces up to 32 MB, not
 * 16): a batch is a burst of short-lived objects (messages, records, packets), and fewer
 * scavenges took about a quarter of the controller's CPU per 100-server batch off
 * (bench/profile-fleet.js, three alternated pairs: 0.08-0.10 s against 0.11-0.13 s). The API
 * showed no such difference and mctl, which lives 0.3 s, spent more: they keep the default.
 */
export const CONTROLLER_NODE_ARGS = ['--max-semi-space-size=32'];

export const SANDBOX_PASSWORD_ENV = 'SANDBOX_BMC_PASSWORD';

function entryOf(pkg: string): string {
  return join(resolve(require.resolve(`${pkg}/package.json`), '..'), 'dist', 'main.js');
}

/**
 * The whole system on one machine: nats-server (unless given one), provisioning, the
 * simulated BMCs of a sandbox, then the API and the controller as child processes.
 * Whatever has started is stopped again if a later step fails.
 */
export async function startStack(opts: StackOptions): Promise<Stack> {
  const log = opts.logger;
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((err) =>
        log.error({ event: 'stack.stop_failed', err: (err as Error).message }, 'stop failed'),
      );
  };
  try {
    const env: NodeJS.ProcessEnv = { ...process.env, ...opts.env };
    if (opts.sandbox && !env[SANDBOX_PASSWORD_ENV])
      env[SANDBOX_PASSWORD_ENV] = sandboxBmcPassword(join(opts.dataDir, 'sandbox', 'bmc-password'));
    const inventory = loadInventory(opts.inventoryFile, env);
    // The API refuses to run without a JWT secret: unless one is configured, the stack keeps
    // a generated one in its data directory, so tokens stay valid across restarts.
    if (!env.JWT_SECRET && !env.JWT_SECRET_FILE)
      env.JWT_SECRET_FILE = join(opts.dataDir, 'jwt-secret');
    const secret = env.JWT_SECRET ?? ensureSecretFile(env.JWT_SECRET_FILE!);
    // The key the API signs conditions with and the controllers check them by: generated once
    // into the data directory (0600) unless configured; the processes get only its path.
    env[KEY_FILE_VARIABLE] ||= join(opts.dataDir, 'condition-signing-key');
    ensureKeyFile(env[KEY_FILE_VARIABLE]!);

    let natsUrl = opts.natsUrl;
    let nats: SupervisedNats | undefined;
    let natsCluster: EmbeddedCluster | undefined;
    // An embedded NATS requires credentials generated here, one user per role (libs/nats).
    const natsCredentials = natsUrl
      ? undefined
      : ensureNatsCredentials(join(opts.dataDir, 'nats-credentials'));
    const tls = embeddedNatsTls(env);
    const consecutive = (first: number, n: number) =>
      Array.from({ length: n }, (_, i) => first + i);
    if (natsCredentials && (opts.natsCluster ?? 1) > 1) {
      const size = opts.natsCluster!;
      const cluster = await startEmbeddedCluster({
        size,
        dataDir: join(opts.dataDir, 'nats-cluster'),
        clientPorts: consecutive(opts.natsPort ?? 4222, size),
        clusterPorts: consecutive(opts.natsClusterPort ?? 6222, size),
        monitorPorts: consecutive(opts.natsMonitorPort ?? 8222, size),
        logger: log,
        credentials: natsCredentials,
        tls,
      });
      stops.push(() => cluster.stop());
      natsCluster = cluster;
      natsUrl = cluster.url;
    } else if (natsCredentials) {
      const started = await superviseNats({
        dataDir: join(opts.dataDir, 'nats'),
        port: opts.natsPort ?? 4222,
        logger: log,
        configFile: writeNatsServerConfig(natsCredentials, { tls }),
      });
      stops.push(() => started.stop());
      nats = started;
      natsUrl = started.url;
    }
    // What a process of a role gets: its own user and password file, nothing of another role's
    // (with the operator's NATS_URL, the operator's NATS_* settings as they are).
    const natsEnv = (role: NatsRole): NodeJS.ProcessEnv =>
      natsCredentials
        ? { ...withoutNatsCredentials(env), ...natsCredentials.clientEnv(role) }
        : env;
    // The stack provisions as the API would.
    const nc = await connectWithRetry({
      servers: natsUrl!,
      name: 'switchboard-stack',
      logger: log,
      auth: readNatsAuth(natsEnv('api')),
    });
    await provisionWithRetry(nc, { logger: log, env });
    const natsReplicas = chooseReplicas(nc, replicasFromEnv(env)).replicas;
    await nc.close();

    let bmcs: SimulatedFleet | undefined;
    if (opts.sandbox) {
      bmcs = await startSandboxBmcs(inventory, opts.dataDir);
      stops.push(() => bmcs!.stop());
      log.info(
        {
          event: 'stack.bmcs.started',
          count: bmcs.bmcs.length,
          servers: foldNames(bmcs.bmcs.map((b) => b.name)),
        },
        'simulated BMCs started',
      );
    }

    // moto's EC2 instances as aws01-aws03, in a generated copy of the inventory.
    let cloud: SandboxCloud | undefined;
    if (opts.sandbox) {
      cloud = await startSandboxCloud(opts.inventoryFile, opts.dataDir, log);
      if (cloud) stops.push(() => cloud!.stop());
    }
    const inventoryFile = cloud?.inventoryFile ?? opts.inventoryFile;

    const apiPorts = consecutive(opts.apiPort ?? 9001, opts.apis ?? 1);
    const apiHost = opts.apiHost ?? '127.0.0.1';
    const childEnv = {
      NATS_URL: natsUrl,
      INVENTORY_FILE: resolve(inventoryFile),
      HOST: apiHost,
      ...(opts.commandsDir ? { COMMANDS_DIR: resolve(opts.commandsDir) } : {}),
    };
    const several = (n: number, name: string, i: number) => (n > 1 ? `${name}-${i + 1}` : name);
    if (opts.logDir) mkdirSync(opts.logDir, { recursive: true });
    const logFileOf = (name: string) =>
      opts.logDir ? join(opts.logDir, `${name}.log`) : undefined;
    const apis = apiPorts.map((port, i) =>
      supervise({
        name: several(apiPorts.length, 'conditions-api', i),
        script: entryOf('@switchboard/conditions-api'),
        env: { ...natsEnv('api'), ...childEnv, PORT: String(port) },
        logger: log,
        logFile: logFileOf(several(apiPorts.length, 'conditions-api', i)),
        nodeArgs: opts.nodeArgs,
      }),
    );
    const controllerCount = opts.controllers ?? 1;
    // As the image starts it (deploy/image/switchboard): see CONTROLLER_NODE_ARGS.
    const controllers = Array.from({ length: controllerCount }, (_, i) =>
      supervise({
        name: several(controllerCount, 'controller', i),
        script: entryOf('@switchboard/controller'),
        // A fixed id per replica: one restarted after a crash resumes its own work at once.
        env: {
          CONTROLLER_ID:
            controllerCount > 1 ? `${hostname()}-controller-${i + 1}` : `${hostname()}-controller`,
          ...natsEnv('controller'),
          ...childEnv,
          ...cloud?.controllerEnv,
        },
        logger: log,
        logFile: logFileOf(several(controllerCount, 'controller', i)),
        nodeArgs: [...CONTROLLER_NODE_ARGS, ...(opts.nodeArgs ?? [])],
      }),
    );
    const processes: Supervised[] = [...apis, ...controllers];
    stops.push(() => Promise.all(processes.map((p) => p.stop())).then(() => undefined));

    let token: string | undefined;
    let tokenFile: string | undefined;
    if (opts.sandbox) {
      token = mintToken({ subject: 'sandbox-operator', scopes: ['admin'], days: 30 }, secret);
      tokenFile = join(opts.dataDir, 'sandbox', 'mctl-token');
      writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    }

    const apiUrls = apiPorts.map((port) => `http://${apiHost}:${port}`);
    return {
      natsUrl: natsUrl!,
      natsCluster,
      natsCredentials,
      natsReplicas,
      token,
      tokenFile,
      apiUrl: apiUrls[0],
      apiUrls,
      apis,
      controllers,
      servers: (cloud ? loadInventory(inventoryFile, env) : inventory).servers.map((s) => s.name),
      inventoryFile,
      bmcs,
      processes,
      nats,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
