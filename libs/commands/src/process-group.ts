/**
 * A command's script runs as the leader of its own process group (spawned detached), so that
 * stopping it reaches everything it started: `kill(-pgid)` gets the `sleep 100 &` children that
 * killing the script alone would leave running, orphaned.
 *
 * Same idea as @switchboard/drivers' process-group, which is not part of that package's API and
 * kills with SIGKILL at once; commands get SIGTERM first, so a script's traps can clean up.
 */

const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** Sends `signal` to every process of the group (0: none, only asks); false when the group is gone. */
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
 * Remembers a running group until the returned function is called, so a controller that exits
 * mid-run takes its scripts with it: a detached group would otherwise outlive it.
 */
export function trackGroup(pgid: number): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const group of liveGroups) signalGroup(group, 'SIGKILL');
    });
  }
  liveGroups.add(pgid);
  return () => liveGroups.delete(pgid);
}

/**
 * Stops a group politely, then firmly: SIGTERM now, SIGKILL after `graceMs` to whatever
 * remains (a trap that hangs, a child that ignores TERM). Returns a cancel for the SIGKILL
 * timer, for a caller that has seen the group end by itself.
 */
export function terminateGroup(pgid: number, graceMs: number): () => void {
  if (!signalGroup(pgid, 'SIGTERM')) return () => undefined;
  const timer = setTimeout(() => signalGroup(pgid, 'SIGKILL'), graceMs);
  return () => clearTimeout(timer);
}

/**
 * Waits until no process of the group is left, at most `timeoutMs`; false if some still are.
 * A SIGKILL is delivered asynchronously: without this wait, "the run is over" could be said
 * while a killed child still runs for a moment (and writes into the working directory that is
 * about to be removed). Killed orphans are reaped by init; until then they count as members.
 */
export async function waitForGroupEnd(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (signalGroup(pgid, 0)) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}
