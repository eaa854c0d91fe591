/**
 * Scripts run in their own process group (spawned detached), so a deadline can stop the script
 * and everything it started, not just the shell: `kill(-pgid)` reaches `sleep 100 &` children
 * that killing bash alone would leave running, orphaned, until they end by themselves.
 */

const liveGroups = new Set<number>();
let exitHookInstalled = false;

/** SIGKILL to every process of the group; a group that is already gone is fine. */
export function killProcessGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/**
 * Remembers a running group until the returned function is called, so that a controller that
 * exits mid-operation takes its scripts with it: detached groups would otherwise outlive it.
 */
export function trackProcessGroup(pgid: number): () => void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const group of liveGroups) killProcessGroup(group);
    });
  }
  liveGroups.add(pgid);
  return () => liveGroups.delete(pgid);
}
