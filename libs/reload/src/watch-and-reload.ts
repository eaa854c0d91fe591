import { resolve } from 'node:path';

import type { Logger } from '@switchboard/logging';
import { watch } from 'chokidar';

export interface WatchAndReloadOptions<T> {
  /** Loads the value; throws when it cannot. Called once now and again after each change. */
  load: () => T;
  /** The directory watched. Watch a file's directory, not the file: editors that save by
   * writing a temporary file and renaming it over the original replace the inode a file watch
   * holds. */
  dir: string;
  /** How deep below `dir` changes count (chokidar's depth; default: all the way down). */
  depth?: number;
  /** Only changes of paths this accepts cause a reload (default: every path). */
  relevant?: (path: string) => boolean;
  /**
   * Also react to raw inotify events: chokidar drops a change that leaves mtime alone, so
   * `chmod +x` alone would go unnoticed.
   */
  raw?: boolean;
  /** Quiet time before a reload: a save or a copy is a burst of events. */
  debounceMs: number;
  /** After each successful reload, with the new and the previous value. */
  onReload: (next: T, previous: T) => void;
  /** After a reload that threw; the previous value stays current. */
  onFailure: (error: Error) => void;
  /** For the watcher's own errors and a throwing `onReload`. */
  logger: Logger;
  /** Fields of those log lines: what is watched. */
  logFields: Record<string, unknown>;
}

export interface Reloading<T> {
  /** The value of the last load that succeeded. */
  current(): T;
  /** Why the latest reload failed; undefined once one succeeds again. */
  lastError(): Error | undefined;
  /** Resolves once the file system watch is in place; changes before that may be missed. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Loads a value now (throwing if that fails) and reloads it when files under `dir` change, once
 * the changes have settled. A reload that throws never replaces the current value.
 */
export function watchAndReload<T>(options: WatchAndReloadOptions<T>): Reloading<T> {
  const { logger, logFields } = options;
  let value = options.load();
  let failure: Error | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const reload = (): void => {
    timer = undefined;
    if (closed) return;
    let next: T;
    try {
      next = options.load();
    } catch (err) {
      failure = err instanceof Error ? err : new Error(String(err));
      options.onFailure(failure);
      return;
    }
    const previous = value;
    value = next;
    failure = undefined;
    try {
      options.onReload(next, previous);
    } catch (err) {
      logger.error({ ...logFields, err }, 'reload handler failed');
    }
  };
  const schedule = (): void => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(reload, options.debounceMs);
  };

  const dir = resolve(options.dir);
  const relevant = options.relevant;
  const watcher = watch(dir, {
    ignoreInitial: true,
    ...(options.depth !== undefined ? { depth: options.depth } : {}),
    ...(relevant ? { ignored: (path: string) => resolve(path) !== dir && !relevant(path) } : {}),
  });
  watcher.on('all', (_event, path) => {
    if (!relevant || relevant(path)) schedule();
  });
  if (options.raw) watcher.on('raw', schedule);
  watcher.on('error', (err) => logger.warn({ ...logFields, err }, 'file watcher error'));
  const ready = new Promise<void>((done) => watcher.once('ready', () => done()));

  return {
    current: () => value,
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
