import path from 'node:path';

import { Logger, silentLogger } from '@switchboard/logging';
import { watchAndReload } from '@switchboard/reload';

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
  const root = path.resolve(dir);
  const watch = watchAndReload({
    load: () => loadCommands(root),
    // Recursive: scripts live one level down, helpers may be deeper.
    dir: root,
    // `chmod +x default.sh`, the usual fix of a "not executable" problem, leaves mtime alone.
    raw: true,
    debounceMs: options.debounceMs ?? 200,
    logger,
    logFields: { dir: root },
    onFailure: (error) =>
      logger.warn(
        { dir: root, error: error.message },
        'commands reload failed; keeping the last commands',
      ),
    onReload: (next, previous) => {
      logger.info(
        { dir: root, commands: next.commands.size, problems: next.problems.length },
        'commands reloaded',
      );
      reportProblems(next, logger, root);
      options.onChange?.(next, previous);
    },
  });
  reportProblems(watch.current(), logger, root);
  return { current: watch.current, ready: watch.ready, close: watch.close };
}

function reportProblems(result: LoadResult, logger: Logger, dir: string): void {
  for (const { command, file, line, message } of result.problems) {
    logger.warn({ dir, command, file, line, problem: message }, 'command not loaded');
  }
}
