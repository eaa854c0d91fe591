import type { JetStreamClient } from '@nats-io/jetstream';
import type { Driver } from '@switchboard/drivers';
import type { Inventory, ServerEntry } from '@switchboard/inventory';
import type { Logger } from '@switchboard/logging';
import type { Buckets } from '@switchboard/nats';
import type { CommandsSource } from './actions/commands-directory';
import type { DriverCallEvent } from './reconcile/driver-call';

export type DriverFactory = (server: ServerEntry, platforms: Inventory['platforms']) => Driver;

/** The settings a handler reads (ControllerOptions with the defaults filled in). */
export interface HandlerSettings {
  operationTimeoutMs: number;
  operationAttempts: number;
  retryBaseDelayMs: number;
  verifyTimeoutMs: number;
  verifyIntervalMs: number;
  bmcResetSettleMs: number;
  /** Controller variables nodes may name in `bmc_password_env` for command scripts. */
  commandSecrets: readonly string[];
}

/**
 * What this replica offers every condition handler: one flat set, built once in controller.ts.
 * A handler takes what it needs and builds its own state (locks, budgets) from it.
 */
export interface ControllerServices {
  controllerId: string;
  /** The inventory as last (re)loaded. */
  inventory: () => Inventory;
  /** The commands directory; undefined when COMMANDS_DIR is not set. */
  commands?: CommandsSource;
  createDriver: DriverFactory;
  js: JetStreamClient;
  buckets: Buckets;
  settings: HandlerSettings;
  /** The controller's environment (command secrets are read from it). */
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Told about every driver call (the op log): tests and benchmarks use it. */
  onDriverCall?: (event: DriverCallEvent) => void;
}
