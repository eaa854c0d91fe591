import path from 'node:path';

import { Logger, silentLogger } from '@switchboard/logging';
import { watch } from 'chokidar';

import { loadCommands } from './load-commands';
import { LoadResult } from './types';

export interface WatchCommandsOptions {
  logger?: Logger;
  /** Called after each reload with the new and the previous result. */
  onChange?: (next: LoadResult, previous: LoadResult) => void;
  /** Quiet time before a reload (default 200 ms): copying a command in is a burst of events. */
  debounceMs?: number;
}

export interface CommandsWatch {
  /** The latest result: good commands and the problems of the broken ones. */
  current(): LoadResult;
  /** Resolves once the file system watch is in place; changes before that may be missed. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Loads the commands directory now (throwing if the directory cannot be read) and again when
 * anything under it changes: a script edited, a command added, a mode changed by chmod. Each
 * problem is logged as one structured warning, at start and at every reload.
 *
 * A reload always replaces the result: the scripts run from disk, so a "last good" copy of a
 * command would describe files that are no longer there. If the directory itself cannot be
 * read any more (removed, renamed), the last result stays and a warning says why.
 */
export function watchCommands(dir: string, options: WatchCommandsOptions = {}): CommandsWatch {
  const logger = options.logger ?? silentLogger;
  const debounceMs = options.debounceMs ?? 200;
  const root = path.resolve(dir);
  let result = loadCommands(root);
  reportProblems(result, logger, root);
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const reload = (): void => {
    timer = undefined;
    if (closed) return;
    let next: LoadResult;
    try {
      next = loadCommands(root);
    } catch (err) {
      logger.warn(
        { dir: root, error: (err as Error).message },
        'commands reload failed; keeping the last commands',
      );
      return;
    }
    const previous = result;
    result = next;
    logger.info(
      { dir: root, commands: next.commands.size, problems: next.problems.length },
      'commands reloaded',
    );
    reportProblems(next, logger, root);
    try {
      options.onChange?.(next, previous);
    } catch (err) {
      logger.error({ dir: root, err }, 'commands onChange handler failed');
    }
  };

  // Recursive (chokidar's default depth): scripts live one level down, helpers may be deeper.
  const watcher = watch(root, { ignoreInitial: true });
  const schedule = (): void => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(reload, debounceMs);
  };
  watcher.on('all', schedule);
  // chokidar drops a change that leaves mtime alone, so `chmod +x default.sh` (the usual fix of a
  // "not executable" problem) would go unnoticed; the raw inotify events still carry it.
  watcher.on('raw', schedule);
  watcher.on('error', (err) => logger.warn({ dir: root, err }, 'commands watcher error'));
  const ready = new Promise<void>((done) => watcher.once('ready', () => done()));

  return {
    current: () => result,
    ready,
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await watcher.close();
    },
  };
}

function reportProblems(result: LoadResult, logger: Logger, dir: string): void {
  for (const { command, file, line, message } of result.problems) {
    logger.warn({ dir, command, file, line, problem: message }, 'command not loaded');
  }
}
