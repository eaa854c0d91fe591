import { dirname, resolve } from 'node:path';
import { Logger, silentLogger } from '@switchboard/logging';
import { watchAndReload } from '@switchboard/reload';
import { InventoryError } from './inventory-error';
import { loadInventory } from './load-inventory';
import { Inventory } from './types';

export interface WatchOptions {
  logger?: Logger;
  /** Called after each successful reload with the new and the previous inventory. */
  onChange?: (next: Inventory, previous: Inventory) => void;
  env?: NodeJS.ProcessEnv;
  debounceMs?: number;
}

export interface InventoryWatch {
  /** The last inventory that loaded without errors. */
  current(): Inventory;
  /** Why the latest reload was rejected; undefined once a reload succeeds again. */
  lastError(): Error | undefined;
  /** Resolves once the file system watch is in place; edits before that may be missed. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Loads the inventory now (throwing if that fails) and reloads it when the
 * file changes. A broken edit never replaces a good inventory: the old one
 * stays in service and a warning says what is wrong and where.
 */
export function watchInventory(file: string, options: WatchOptions = {}): InventoryWatch {
  const logger = options.logger ?? silentLogger;
  const env = options.env ?? process.env;
  const target = resolve(file);
  logger.debug({ file, dir: dirname(target) }, 'watching inventory');
  return watchAndReload({
    load: () => loadInventory(file, env),
    dir: dirname(target),
    depth: 0,
    relevant: (path) => resolve(path) === target,
    debounceMs: options.debounceMs ?? 100,
    logger,
    logFields: { file },
    onFailure: (error) => {
      const where =
        error instanceof InventoryError ? { line: error.line, issues: error.issues.length } : {};
      logger.warn(
        { file, ...where, error: error.message },
        'inventory reload failed; keeping the last good inventory',
      );
    },
    onReload: (next, previous) => {
      logger.info({ file, servers: next.servers.length }, 'inventory reloaded');
      options.onChange?.(next, previous);
    },
  });
}
