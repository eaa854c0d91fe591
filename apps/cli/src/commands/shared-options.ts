import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';

export const DEFAULT_TIMEOUT_SECONDS = 120;

export interface TargetOptions {
  server?: string;
  group?: string[];
}

export interface WaitFlags {
  wait: boolean;
  timeout: number;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function parseSeconds(value: string): number {
  const n = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value.trim()) || !(n > 0))
    throw new InvalidArgumentError('expected a number of seconds greater than 0');
  return n;
}

/** `--server` (FlipFlop) and `-g/--group` (OpenFlight); they add to the positional range. */
export function addTargetOptions(cmd: Command): Command {
  return cmd
    .option(
      '-s, --server <servers>',
      'server name, id or range: node01, node[01-64], node01,node07, @rack2',
    )
    .option(
      '-g, --group <group>',
      'every server of an inventory group (repeatable, or comma-separated)',
      collect,
    );
}

export function addWaitOptions(cmd: Command): Command {
  return cmd
    .option('--no-wait', 'queue the work, print the condition ids and return at once')
    .option(
      '--timeout <seconds>',
      'stop waiting after this long (the work goes on)',
      parseSeconds,
      DEFAULT_TIMEOUT_SECONDS,
    );
}
