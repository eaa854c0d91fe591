import { ChildProcess, spawn } from 'node:child_process';

/**
 * The death pipe. Every process group this library starts is registered with one guard per
 * Node process: a small `sh` in a session of its own whose stdin is a pipe only we write to.
 * When this process ends in any way, SIGKILL included, the kernel closes that pipe, the guard
 * reads end-of-file and kills every group still registered. An `exit` hook cannot do this: it
 * never runs when the process is killed, and detached groups would then run on unseen.
 *
 * Protocol, one line each: `+PGID` (watch), `-PGID` (ended, forget). The guard forks nothing
 * while it listens; it is only the shell's read loop.
 */
const GUARD_SCRIPT = [
  "live=' '",
  'while IFS= read -r line; do',
  '  g=${line#?}',
  '  case $line in',
  '    +*) live="$live$g " ;;',
  '    -*) case $live in *" $g "*) live="${live%% "$g" *} ${live#* "$g" }" ;; esac ;;',
  '  esac',
  'done',
  'for g in $live; do kill -s KILL -- "-$g" 2>/dev/null; done',
].join('\n');

const live = new Set<number>();
let guard: ChildProcess | undefined;

function write(line: string): void {
  const stdin = ensureGuard()?.stdin;
  // A guard that died is replaced at the next registration; nothing to do for this line.
  if (stdin && !stdin.destroyed) stdin.write(`${line}\n`);
}

function ensureGuard(): ChildProcess | undefined {
  if (guard && guard.exitCode === null && guard.signalCode === null && !guard.stdin?.destroyed)
    return guard;
  let child: ChildProcess;
  try {
    child = spawn('/bin/sh', ['-c', GUARD_SCRIPT], {
      // Its own session: a Ctrl-C or a kill of our process group must not take the guard first.
      detached: true,
      stdio: ['pipe', 'ignore', 'ignore'],
      env: {},
    });
  } catch {
    return undefined;
  }
  guard = child;
  child.on('error', () => undefined);
  child.stdin?.on('error', () => undefined);
  // Neither the guard nor its pipe may keep this process alive.
  child.unref();
  (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  if (child.pid === undefined) return undefined;
  // A new guard learns the groups the old one watched.
  const known = [...live].map((pgid) => `+${pgid}\n`).join('');
  if (known) child.stdin?.write(known);
  return child;
}

/**
 * Registers a process group to be killed when this process ends, however it ends. Returns the
 * release, to call once the group has ended (and not before: the guard forgets it then).
 */
export function guardGroup(pgid: number): () => void {
  if (live.has(pgid)) return () => undefined;
  live.add(pgid);
  write(`+${pgid}`);
  return () => {
    if (live.delete(pgid)) write(`-${pgid}`);
  };
}

/** The guard's pid, for tests that prove it does its job. */
export function guardPid(): number | undefined {
  return ensureGuard()?.pid;
}
