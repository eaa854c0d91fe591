/*
 * Test support for action conditions: a commands directory of real bash scripts, the output stream,
 * /proc.
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { OutputLine, outputSubject, STREAM_OUTPUT } from '@switchboard/condition-types';
import type { TestNats } from './harness';

export interface CommandSpec {
  /**
   * metadata.yaml below `help: summary:` (timeout, concurrent, help.has_context …); default none.
   */
  metadata?: string;
  /** Script bodies by file name, after `#!/usr/bin/env bash` and `set -euo pipefail`. */
  scripts: Record<string, string | { body: string; mode: number }>;
}

/** Writes one command of OpenFlight Action's layout under `root`. */
export function writeCommand(root: string, name: string, spec: CommandSpec): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'metadata.yaml'),
    `help:\n  summary: ${name} (test)\n${spec.metadata ?? ''}`,
  );
  for (const [file, script] of Object.entries(spec.scripts)) {
    const { body, mode } = typeof script === 'string' ? { body: script, mode: 0o755 } : script;
    writeFileSync(join(dir, file), `#!/usr/bin/env bash\nset -euo pipefail\n${body}\n`);
    chmodSync(join(dir, file), mode);
  }
  return dir;
}

/** Lines stored in the output stream for a condition now. */
export async function storedLineCount(nats: TestNats, conditionId: string): Promise<number> {
  const subject = outputSubject(conditionId);
  const info = await (
    await jetstreamManager(nats.nc)
  ).streams.info(STREAM_OUTPUT, { subjects_filter: subject });
  return info.state.subjects?.[subject] ?? 0;
}

/** Every output line of a condition, in stream order, each checked against the contract. */
export async function readOutput(nats: TestNats, conditionId: string): Promise<OutputLine[]> {
  const count = await storedLineCount(nats, conditionId);
  if (count === 0) return [];
  const consumer = await jetstream(nats.nc).consumers.get(STREAM_OUTPUT, {
    filter_subjects: outputSubject(conditionId),
  });
  const lines: OutputLine[] = [];
  const messages = await consumer.consume();
  for await (const msg of messages) {
    lines.push(OutputLine.parse(msg.json()));
    if (lines.length >= count) break;
  }
  await messages.close();
  return lines;
}

/** The lines of one stream, text only. */
export const textOf = (lines: OutputLine[], stream: OutputLine['stream']): string[] =>
  lines.filter((l) => l.stream === stream).map((l) => l.line);

/**
 * Whether a process runs (an exited one nobody reaped yet is a zombie: it runs no more). Through
 * /proc, by pid.
 */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
