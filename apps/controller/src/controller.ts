import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstream } from '@nats-io/jetstream';
import { startWorker, StopReport } from '@switchboard/condition-queue';
import type { SigningKeys } from '@switchboard/condition-signing';
import { ConditionStore, startCreateSweeper } from '@switchboard/condition-store';
import { createDriver, DriverOptions } from '@switchboard/drivers';
import { watchInventory } from '@switchboard/inventory';
import { createLogger, Logger } from '@switchboard/logging';
import { connectWithRetry, NatsClientAuth, provisionWithRetry } from '@switchboard/nats';
import { CommandsDirectory, openCommandsDirectory } from './actions/commands-directory';
import { conditionHandlers } from './handlers/registry';
import { logNatsEvents } from './nats-events';
import type { DriverCallEvent } from './reconcile/driver-call';
import type { ControllerServices, DriverFactory } from './services';

export interface ControllerOptions {
  natsUrl: string;
  /** NATS credentials and TLS (NATS_USER, NATS_PASSWORD_FILE, NATS_CA_FILE, ...). */
  natsAuth?: NatsClientAuth;
  /**
   * The keys condition records must be signed with to be run, and that this replica signs its
   * own writes with (CONDITION_SIGNING_KEY_FILE, CONDITION_SIGNING_PREVIOUS_KEY_FILE).
   */
  signing: SigningKeys;
  /**
   * How far from its `updatedAt` NATS may have stored a record before it counts as a replay
   * (CONDITION_CLOCK_SKEW_MS, default 60 000).
   */
  clockSkewMs?: number;
  /** topology.yaml / nodes.yaml; reloaded when it changes. */
  inventoryFile: string;
  /**
   * This replica's id (CONTROLLER_ID); default `<host>-<pid>-<random>`. Keep it across restarts to
   * resume own work at once.
   */
  id?: string;
  /** Conditions worked on at once (FANOUT, default 128). */
  fanout?: number;
  /** Deadline of one driver call (OPERATION_TIMEOUT_MS, default 15 000). */
  operationTimeoutMs?: number;
  /** Attempts of an idempotent driver call that times out (OPERATION_ATTEMPTS, default 3). */
  operationAttempts?: number;
  /**
   * First backoff delay between attempts, doubled each time (RETRY_BASE_DELAY_MS, default 1000).
   */
  retryBaseDelayMs?: number;
  /** How long a power change may take to show (VERIFY_TIMEOUT_MS, default 60 000). */
  verifyTimeoutMs?: number;
  /** First pause between reads while verifying (VERIFY_INTERVAL_MS, default 250; grows to 1 s). */
  verifyIntervalMs?: number;
  /** Grace for in-flight work on shutdown (DRAIN_TIMEOUT_MS, default 20 000). */
  drainTimeoutMs?: number;
  /** Pause after a BMC reset before checking it answers (BMC_RESET_SETTLE_MS, default 3000). */
  bmcResetSettleMs?: number;
  /**
   * The commands directory of `action` conditions (COMMANDS_DIR); reloaded when it changes. Without
   * it actions fail.
   */
  commandsDir?: string;
  /**
   * Controller variables nodes may name in `bmc_password_env` for command scripts
   * (COMMAND_SECRETS).
   */
  commandSecrets?: string[];
  /**
   * HOME given to ipmitool (IPMITOOL_HOME; default @switchboard/drivers' MINIMAL_IPMITOOL_HOME).
   */
  ipmitoolHome?: string;
  /** Port of the probe and metrics server (HEALTH_PORT); started by main, not here. */
  healthPort?: number;
  /** Renewal of this replica's heartbeat (HEARTBEAT_INTERVAL_MS, default 2000). */
  heartbeatIntervalMs?: number;
  /** A replica silent this long is taken over (HEARTBEAT_EXPIRY_MS, default 10 000). */
  heartbeatExpiryMs?: number;
  /** In-progress acks of running conditions (default 5000; the consumer's ack wait is 15 s). */
  workingIntervalMs?: number;
  /** Redelivery delay of a condition that a live replica holds (default 5000). */
  heldRetryDelayMs?: number;
  /** How long one pull request stays open (default 5000, at least 1000). */
  pullExpiresMs?: number;
  /** Apply the faults conditions carry (FAULT_INJECTION; rivets' fault injection, default off). */
  faultInjection?: boolean;
  logger?: Logger;
  /** Environment for the inventory's password_env and for the drivers (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Builds a server's driver (default: @switchboard/drivers' createDriver). */
  createDriver?: DriverFactory;
  /**
   * Settings of the cloud drivers: `azureEndpoint` (AZURE_ARM_ENDPOINT), and for tests a moto
   * endpoint, the ARM fake's CA or an Azure credential. AWS also reads AWS_ENDPOINT_URL_EC2.
   */
  cloud?: Pick<
    DriverOptions,
    'awsClientConfig' | 'azureEndpoint' | 'azureTlsCa' | 'azureCredential' | 'azurePollIntervalMs'
  >;
  /** Told about every driver call (the op log): tests and benchmarks use it. */
  onDriverCall?: (event: DriverCallEvent) => void;
}

export interface RunningController {
  id: string;
  /**
   * Stops pulling, lets in-flight work finish within the drain timeout, hands the rest back,
   * disconnects.
   */
  drain(): Promise<void>;
  /** Hands everything back at once and disconnects (a drain with no grace). */
  close(): Promise<void>;
  /** For the probes: NATS connection open, conditions in flight, stopping. */
  health(): { natsOpen: boolean; inFlight: number; stopping: boolean };
}

export const DEFAULTS = {
  // 128: a 100-server batch in one wave. At 64 the last 36 of 100 waited for a slot, a second
  // round of claim, BMC call and outcome write (bench/profile-fleet.js shows it). It bounds
  // action scripts and ipmitool processes too: a host that must run fewer sets FANOUT.
  fanout: 128,
  operationTimeoutMs: 15_000,
  operationAttempts: 3,
  retryBaseDelayMs: 1000,
  verifyTimeoutMs: 60_000,
  verifyIntervalMs: 250,
  drainTimeoutMs: 20_000,
  bmcResetSettleMs: 3000,
  heartbeatIntervalMs: 2000,
  heartbeatExpiryMs: 10_000,
  workingIntervalMs: 5000,
  heldRetryDelayMs: 5000,
  pullExpiresMs: 5000,
} as const;

/** How long flushing, and then closing, the NATS connection may take at shutdown. */
const NATS_CLOSE_MS = 2000;

async function bounded(promise: Promise<unknown>, ms: number): Promise<void> {
  const timer = new AbortController();
  await Promise.race([
    promise.catch(() => undefined),
    sleep(ms, undefined, { signal: timer.signal }).catch(() => undefined),
  ]);
  timer.abort();
}

/**
 * The shutdown's last line. Without NATS nothing could be handed back: the conditions this
 * replica held stay recorded as its own, and another replica takes them over once NATS is back
 * and this replica's heartbeat is older than the expiry.
 */
function logStopped(logger: Logger, id: string, natsReachable: boolean, report: StopReport): void {
  const fields = { event: 'controller.stopped', natsReachable, ...report };
  if (natsReachable && report.leftHeld.length === 0) {
    logger.info(fields, 'controller stopped');
    return;
  }
  const held = report.leftHeld;
  logger.warn(
    fields,
    `controller stopped with NATS ${natsReachable ? 'failing' : 'unreachable'}: ` +
      (held.length === 0
        ? 'it held no condition'
        : `${held.length} conditions are still recorded as held by ${id} (${held.join(', ')}); ` +
          'they are taken over by another controller once NATS is back and the heartbeat of ' +
          `${id} has expired, or at once by ${id} restarted with the same CONTROLLER_ID`),
  );
}

function defaultId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(2).toString('hex')}`;
}

/**
 * Starts one controller replica in this process: connects to NATS (waiting for it), provisions
 * the stream, consumer and buckets (idempotent), writes its heartbeat and starts pulling
 * conditions. Any number of replicas share the durable consumer.
 */
export async function startController(opts: ControllerOptions): Promise<RunningController> {
  const cfg = {
    ...DEFAULTS,
    ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)),
  } as typeof DEFAULTS & ControllerOptions;
  const id = opts.id ?? defaultId();
  const logger = (opts.logger ?? createLogger('controller')).child({ controller: id });
  const env = opts.env ?? process.env;

  const inventory = watchInventory(opts.inventoryFile, { logger, env });
  let commands: CommandsDirectory | undefined;
  try {
    commands =
      opts.commandsDir === undefined ? undefined : openCommandsDirectory(opts.commandsDir, logger);
  } catch (err) {
    await inventory.close();
    throw err;
  }
  const closeWatches = async () => {
    await inventory.close();
    await commands?.close();
  };
  const nc = await connectWithRetry({
    servers: opts.natsUrl,
    auth: opts.natsAuth,
    name: `switchboard-controller ${id}`,
    logger,
  }).catch(async (err) => {
    await closeWatches();
    throw err;
  });
  const cleanup = async () => {
    await closeWatches();
    await nc.close().catch(() => undefined);
  };
  const natsStatus = logNatsEvents(nc, logger);
  try {
    const buckets = await provisionWithRetry(nc, { logger });
    // A change made right after start must not be missed (tests and operators copy a command in at
    // once).
    await commands?.ready;

    const services: ControllerServices = {
      controllerId: id,
      inventory: () => inventory.current(),
      commands,
      createDriver:
        opts.createDriver ??
        ((server, platforms) =>
          createDriver(server, platforms, {
            ipmitoolHome: opts.ipmitoolHome,
            // Where shell platforms' `pass_env` names are read: nothing else of it passes.
            controllerEnv: env,
            ...opts.cloud,
          })),
      js: jetstream(nc),
      buckets,
      settings: { ...cfg, commandSecrets: opts.commandSecrets ?? [] },
      env,
      logger,
      onDriverCall: opts.onDriverCall,
    };
    const worker = await startWorker({
      nc,
      buckets,
      id,
      handlers: conditionHandlers(services),
      fanout: cfg.fanout,
      heartbeatIntervalMs: cfg.heartbeatIntervalMs,
      heartbeatExpiryMs: cfg.heartbeatExpiryMs,
      workingIntervalMs: cfg.workingIntervalMs,
      heldRetryDelayMs: cfg.heldRetryDelayMs,
      pullExpiresMs: cfg.pullExpiresMs,
      faults: opts.faultInjection ?? false,
      natsConnected: () => natsStatus.connected(),
      signing: opts.signing,
      maxClockSkewMs: opts.clockSkewMs,
      logger,
    });
    const sweepStore = new ConditionStore(nc, buckets, { signing: opts.signing });
    const sweeper = startCreateSweeper(() => sweepStore, {
      onFailed: (ids) =>
        logger.warn(
          { event: 'create.never_queued', conditions: ids },
          `failed ${ids.length} conditions whose create was cut off before it was queued`,
        ),
      onError: (err) =>
        logger.debug({ event: 'create.sweep_failed', err: err.message }, 'sweep failed'),
    });
    logger.info(
      {
        event: 'controller.started',
        fanout: cfg.fanout,
        nats: opts.natsUrl,
        inventory: opts.inventoryFile,
        commands: opts.commandsDir ?? null,
        signingKey: opts.signing.current.kid,
        previousSigningKey: opts.signing.previous?.kid,
      },
      'controller started',
    );

    let stopping: Promise<void> | undefined;
    const shutdown = (graceMs: number): Promise<void> => {
      // Called again (a second signal): the worker cuts the grace still running short.
      if (stopping) void worker.stop(graceMs);
      stopping ??= (async () => {
        const stoppingWorker = worker.stop(graceMs);
        await sweeper.stop();
        const report = await stoppingWorker;
        const natsReachable = natsStatus.connected();
        // Without NATS a flush waits for a reconnect and close for the flush: both bounded.
        if (natsReachable) await bounded(nc.flush(), NATS_CLOSE_MS);
        await bounded(cleanup(), NATS_CLOSE_MS);
        logStopped(logger, id, natsReachable, report);
      })();
      return stopping;
    };

    return {
      id,
      drain: () => shutdown(cfg.drainTimeoutMs),
      close: () => shutdown(0),
      health: () => ({
        natsOpen: !nc.isClosed(),
        inFlight: worker.inFlight().length,
        stopping: stopping !== undefined,
      }),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
