import fs from 'node:fs';

/**
 * Sends `signal` to every process of the group (0: none, only asks); false when the group is gone.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}

/**
 * How a group is stopped: SIGTERM, then SIGKILL after `graceMs` to whatever remains (a trap
 * that hangs, a child that ignores TERM). `graceMs: 0` is SIGKILL at once, for tools that hold
 * nothing worth a clean shutdown.
 */
export interface KillPolicy {
  graceMs: number;
}

export const DEFAULT_KILL_POLICY: KillPolicy = { graceMs: 2000 };

/** Stops a group by the policy; returns a cancel of the pending SIGKILL. */
export function terminateGroup(pgid: number, policy: KillPolicy): () => void {
  if (policy.graceMs <= 0) {
    signalGroup(pgid, 'SIGKILL');
    return () => undefined;
  }
  if (!signalGroup(pgid, 'SIGTERM')) return () => undefined;
  const timer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), policy.graceMs);
  return () => clearTimeout(timer);
}

/**
 * Waits until no process of the group is left running, at most `timeoutMs`; false if some
 * still are. A SIGKILL is delivered asynchronously: without this wait, "the run is over" could
 * be said while a killed child still runs for a moment (and writes into a directory about to be
 * removed). Killed orphans stay members until whoever adopted them (init, or a subreaper)
 * reaps them, which some inits do only every second or so; a member that is already a zombie
 * runs nothing and holds nothing open, so it does not count.
 */
export async function waitForGroupEnd(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (signalGroup(pgid, 0) && hasRunningMember(pgid)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return true;
}

/** Whether some member of the group is not a zombie; true when /proc cannot tell. */
function hasRunningMember(pgid: number): boolean {
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return true;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses, so from the last ')'.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z' && state !== 'X') return true;
  }
  return false;
}
