import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { SimulatedFleet } from '@switchboard/bmc-sim';
import { foldNames, loadInventory } from '@switchboard/inventory';
import type { Logger } from '@switchboard/logging';
import { connectWithRetry, provisionWithRetry } from '@switchboard/nats';
import { ensureSecretFile, mintToken } from '@switchboard/auth';
import { Supervised, supervise } from './child-process';
import { startSandboxBmcs } from './sandbox-bmcs';
import { SandboxCloud, startSandboxCloud } from './sandbox-cloud';
import { SupervisedNats, superviseNats } from './supervise-nats';
import { sandboxBmcPassword } from './sandbox-secret';

export interface StackOptions {
  inventoryFile: string;
  dataDir: string;
  logger: Logger;
  /** Use this NATS instead of starting one. */
  natsUrl?: string;
  /** Port of the embedded nats-server (default 4222). */
  natsPort?: number;
  apiPort?: number;
  apiHost?: string;
  /** Also start one simulated BMC per IPMI server of the inventory. */
  sandbox?: boolean;
  /** OpenFlight Action commands directory for the API and controller (COMMANDS_DIR). */
  commandsDir?: string;
  /** Extra environment for the API and controller (e.g. test timeouts). */
  env?: NodeJS.ProcessEnv;
}

export interface Stack {
  natsUrl: string;
  apiUrl: string;
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
  stop(): Promise<void>;
}

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

    let natsUrl = opts.natsUrl;
    let nats: SupervisedNats | undefined;
    if (!natsUrl) {
      const started = await superviseNats({
        dataDir: join(opts.dataDir, 'nats'),
        port: opts.natsPort ?? 4222,
        logger: log,
      });
      stops.push(() => started.stop());
      nats = started;
      natsUrl = started.url;
    }
    const nc = await connectWithRetry({ servers: natsUrl, name: 'switchboard-stack', logger: log });
    await provisionWithRetry(nc, { logger: log, env });
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

    const apiPort = opts.apiPort ?? 9001;
    const apiHost = opts.apiHost ?? '127.0.0.1';
    const childEnv = {
      ...env,
      NATS_URL: natsUrl,
      INVENTORY_FILE: resolve(inventoryFile),
      PORT: String(apiPort),
      HOST: apiHost,
      ...(opts.commandsDir ? { COMMANDS_DIR: resolve(opts.commandsDir) } : {}),
    };
    const processes: Supervised[] = [
      supervise({
        name: 'conditions-api',
        script: entryOf('@switchboard/conditions-api'),
        env: childEnv,
        logger: log,
      }),
      supervise({
        name: 'controller',
        script: entryOf('@switchboard/controller'),
        // One stable id: restarted by the supervisor, it resumes its own conditions at once.
        env: { CONTROLLER_ID: `${hostname()}-controller`, ...childEnv, ...cloud?.controllerEnv },
        logger: log,
      }),
    ];
    stops.push(() => Promise.all(processes.map((p) => p.stop())).then(() => undefined));

    let token: string | undefined;
    let tokenFile: string | undefined;
    if (opts.sandbox) {
      token = mintToken({ subject: 'sandbox-operator', scopes: ['admin'], days: 30 }, secret);
      tokenFile = join(opts.dataDir, 'sandbox', 'mctl-token');
      writeFileSync(tokenFile, `${token}\n`, { mode: 0o600 });
    }

    return {
      natsUrl,
      token,
      tokenFile,
      apiUrl: `http://${apiHost}:${apiPort}`,
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
