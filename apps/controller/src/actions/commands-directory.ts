import { LoadResult, watchCommands } from '@switchboard/commands';
import type { Logger } from '@switchboard/logging';

/** The commands directory as the controller sees it: where it is, and what it holds now. */
export interface CommandsSource {
  dir: string;
  /** The latest load (reloaded whenever the directory changes). */
  current(): LoadResult;
}

export interface CommandsDirectory extends CommandsSource {
  /** Resolves once changes are being watched. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Loads COMMANDS_DIR and keeps it current (a command copied in, a script fixed, a `chmod +x`).
 * A directory that cannot be read stops the controller at start, saying which variable is
 * wrong: running with no commands would fail every action for a configuration mistake.
 */
export function openCommandsDirectory(dir: string, logger: Logger): CommandsDirectory {
  let watch;
  try {
    watch = watchCommands(dir, { logger });
  } catch (err) {
    throw new Error(`COMMANDS_DIR: ${(err as Error).message}`, { cause: err });
  }
  return { dir, current: () => watch.current(), ready: watch.ready, close: () => watch.close() };
}
