import type { Command } from 'commander';
import type { Session } from '../session';

/**
 * What a command's action needs from the program: its session and a way to report its exit status.
 */
export interface CommandDeps {
  session(command: Command): Session;
  done(exitCode: number): void;
}
