import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { loadCommands } from '../src/load-commands';
import type { CommandDefinition, ScriptChoice } from '../src/types';

export const EXAMPLES_DIR = path.resolve(__dirname, '../../../examples/commands');

/** A fresh directory under the system's temp dir; removed by `removeTempDirs()`. */
const made: string[] = [];
export function tempDir(prefix = 'commands-test-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
}

export const SUMMARY_ONLY = 'help:\n  summary: Say hello\n';

export interface CommandFiles {
  /** Text of metadata.yaml; omitted: a summary only. `null`: no file. */
  metadata?: string | null;
  /** File name → text; mode 0755 unless given. */
  files?: Record<string, string | { text: string; mode: number }>;
}

/** Writes one command directory under `root`: by default a summary and an `exit 0` default.sh. */
export function writeCommand(root: string, name: string, spec: CommandFiles = {}): string {
  const dir = path.join(root, name);
  fs.mkdirSync(dir, { recursive: true });
  if (spec.metadata !== null)
    fs.writeFileSync(path.join(dir, 'metadata.yaml'), spec.metadata ?? SUMMARY_ONLY);
  const files = spec.files ?? { 'default.sh': bash('exit 0') };
  for (const [file, content] of Object.entries(files)) {
    const { text, mode } = typeof content === 'string' ? { text: content, mode: 0o755 } : content;
    fs.writeFileSync(path.join(dir, file), text);
    fs.chmodSync(path.join(dir, file), mode);
  }
  return dir;
}

/** A bash script as the examples write them: strict mode, then `body`. */
export function bash(body: string): string {
  return `#!/usr/bin/env bash\nset -euo pipefail\n${body}\n`;
}

/** A loaded command whose default.sh is `body`, ready for runCommand. */
export function scriptCommand(
  body: string,
  name = 'probe',
): { command: CommandDefinition; script: ScriptChoice } {
  const root = tempDir();
  writeCommand(root, name, { files: { 'default.sh': bash(body) } });
  const { commands, problems } = loadCommands(root);
  if (problems.length > 0)
    throw new Error(`test command did not load: ${JSON.stringify(problems)}`);
  const command = commands.get(name)!;
  return { command, script: { rank: 'default', path: command.scripts.get('default')! } };
}

/** A debug logger that keeps every event, to check what was logged (and what was not). */
export { capturingLogger } from '@switchboard/logging';

interface ProcStat {
  pid: number;
  state: string;
  pgrp: number;
}

function procStat(pid: number): ProcStat | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // "pid (comm) state ppid pgrp …": comm may hold spaces and parentheses, so cut at the
    // last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { pid, state, pgrp: Number(pgrp) };
  } catch {
    return undefined;
  }
}

/** Whether a process still runs. An orphan nobody reaped yet is a zombie: it runs no more. */
export function isRunning(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

/** Running processes of one process group, found through /proc (never by name). */
export function runningInGroup(pgid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map((entry) => procStat(Number(entry)))
    .filter(
      (stat): stat is ProcStat =>
        stat !== undefined && stat.pgrp === pgid && stat.state !== 'Z' && stat.state !== 'X',
    )
    .map((stat) => stat.pid);
}

export async function waitFor(
  condition: () => boolean,
  timeoutMs: number,
  what = 'condition',
): Promise<void> {
  const t0 = Date.now();
  while (!condition()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
