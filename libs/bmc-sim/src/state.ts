import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';

import type { BmcBehaviour, BmcCounters, BmcEvent, PowerState } from './types';

/*
 * Readers of the state files kept by assets/chassis-control.sh (see the header of that
 * script for the layout). This side only reads them, apart from the initial files and the
 * behaviour; power changes go through the script, which serialises its callers.
 */

function readValue(dir: string, file: string, fallback: string): string {
  try {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    const line = text.split('\n', 1)[0].trim();
    return line === '' ? fallback : line;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw err;
  }
}

function readCount(dir: string, name: string): number {
  const n = Number(readValue(dir, `count.${name}`, '0'));
  return Number.isFinite(n) ? n : 0;
}

/** Replaces a one-line file atomically (write + rename). */
export function writeValue(dir: string, file: string, value: string): void {
  const target = path.join(dir, file);
  const tmp = `${target}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${value}\n`);
  fs.renameSync(tmp, target);
}

/** A pending change of a slow BMC that is due by now, if any. */
function duePending(dir: string, now = Date.now()): '0' | '1' | undefined {
  const [value, due] = readValue(dir, 'power.pending', '').split(/\s+/);
  if ((value === '0' || value === '1') && Number(due) <= now) return value;
  return undefined;
}

export function readPowerBit(dir: string): '0' | '1' {
  return duePending(dir) ?? (readValue(dir, 'power', '0') === '1' ? '1' : '0');
}

export function readPower(dir: string): PowerState {
  return readPowerBit(dir) === '1' ? 'on' : 'off';
}

export function readBoot(dir: string): string {
  return readValue(dir, 'boot', 'none');
}

export function readCounters(dir: string): BmcCounters {
  const counters: BmcCounters = {
    powerOn: readCount(dir, 'power_on'),
    powerOff: readCount(dir, 'power_off'),
    resets: readCount(dir, 'reset'),
    softOffs: readCount(dir, 'soft_off'),
  };
  // A due change the script has not applied yet (nobody asked the BMC since) still happened.
  const pending = duePending(dir);
  const current = readValue(dir, 'power', '0') === '1' ? '1' : '0';
  if (pending !== undefined && pending !== current) {
    if (pending === '1') counters.powerOn++;
    else counters.powerOff++;
  }
  return counters;
}

export function readEvents(dir: string): BmcEvent[] {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, 'events.log'), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const events: BmcEvent[] = [];
  for (const line of text.split('\n')) {
    const match = /^(\d+) (\S+) ?(.*)$/.exec(line);
    if (match) events.push({ ts: Number(match[1]), action: match[2], value: match[3] });
  }
  return events;
}

/**
 * Writes the initial state into a fresh (empty) BMC directory: only what differs from the
 * defaults the script assumes (power 0, boot none, behaviour normal), as creating files is slow.
 */
export async function writeInitialState(
  dir: string,
  state: { power: PowerState; boot: string; behaviour: BmcBehaviour; powerDelayMs: number },
): Promise<void> {
  const files: [string, string][] = [];
  if (state.power === 'on') files.push(['power', '1']);
  if (state.boot !== 'none') files.push(['boot', state.boot]);
  if (state.behaviour !== 'normal') files.push(['behaviour', state.behaviour]);
  if (state.behaviour === 'slow') files.push(['power_delay_ms', String(state.powerDelayMs)]);
  await Promise.all(
    files.map(([file, value]) => fsp.writeFile(path.join(dir, file), `${value}\n`)),
  );
}

export function writeBehaviour(dir: string, behaviour: BmcBehaviour, powerDelayMs: number): void {
  writeValue(dir, 'power_delay_ms', String(powerDelayMs));
  writeValue(dir, 'behaviour', behaviour);
}
