import { dirname, resolve } from 'node:path';
import { watch } from 'chokidar';
import { Logger, silentLogger } from '@switchboard/logging';
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
  const debounceMs = options.debounceMs ?? 100;
  let inventory = loadInventory(file, env);
  let failure: Error | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const reload = (): void => {
    timer = undefined;
    if (closed) return;
    let next: Inventory;
    try {
      next = loadInventory(file, env);
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
      const where =
        err instanceof InventoryError ? { line: err.line, issues: err.issues.length } : {};
      logger.warn(
        { file, ...where, error: failure.message },
        'inventory reload failed; keeping the last good inventory',
      );
      return;
    }
    const previous = inventory;
    inventory = next;
    failure = undefined;
    logger.info({ file, servers: next.servers.length }, 'inventory reloaded');
    try {
      options.onChange?.(next, previous);
    } catch (err) {
      logger.error({ file, err }, 'inventory onChange handler failed');
    }
  };

  // Watch the directory, not the file: editors that save by writing a temp
  // file and renaming it over the original replace the inode a file watch holds.
  const target = resolve(file);
  const dir = dirname(target);
  const watcher = watch(dir, {
    ignoreInitial: true,
    depth: 0,
    ignored: (path: string) => {
      const p = resolve(path);
      return p !== dir && p !== target;
    },
  });
  watcher.on('all', (_event, path) => {
    if (closed || resolve(path) !== target) return;
    // Saves arrive as bursts (truncate, write, rename); load once they settle.
    if (timer) clearTimeout(timer);
    timer = setTimeout(reload, debounceMs);
  });
  watcher.on('error', (err) => logger.warn({ file, err }, 'inventory watcher error'));
  const ready = new Promise<void>((done) => watcher.once('ready', () => done()));
  logger.debug({ file, dir }, 'watching inventory');

  return {
    current: () => inventory,
    lastError: () => failure,
    ready,
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await watcher.close();
    },
  };
}
