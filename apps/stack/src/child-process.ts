import { spawn, ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@switchboard/logging';
import { dyingWithParent } from '@switchboard/nats';

export interface SupervisedOptions {
  name: string;
  script: string;
  env: NodeJS.ProcessEnv;
  logger: Logger;
  /** Restarts after an unexpected exit, with backoff, at most this many times in a row. */
  maxRestarts?: number;
  /** Append the process's output to this file instead of passing it through. */
  logFile?: string;
  /** Node flags before the script (e.g. `--cpu-prof`, which NODE_OPTIONS does not take). */
  nodeArgs?: readonly string[];
}

export interface Supervised {
  readonly name: string;
  pid(): number | undefined;
  stop(): Promise<void>;
}

/**
 * Runs one Node process of the stack (API, controller), passes its log lines through,
 * and restarts it with backoff if it dies: a crash of one part must not take the
 * sandbox down, and a crash loop must not spin forever.
 */
export function supervise(opts: SupervisedOptions): Supervised {
  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;

  const start = () => {
    const startedAt = Date.now();
    const out = opts.logFile ? openSync(opts.logFile, 'a') : 'inherit';
    const [command, args] = dyingWithParent(process.execPath, [
      ...(opts.nodeArgs ?? []),
      opts.script,
    ]);
    child = spawn(command, args, {
      env: opts.env,
      stdio: ['ignore', out, out],
    });
    if (typeof out === 'number') closeSync(out);
    opts.logger.info(
      { event: 'stack.process.started', process: opts.name, pid: child.pid },
      `${opts.name} started`,
    );
    child.once('exit', (code, signal) => {
      if (stopping) return;
      if (Date.now() - startedAt > 30_000) restarts = 0;
      restarts += 1;
      if (restarts > (opts.maxRestarts ?? 5)) {
        opts.logger.error(
          { event: 'stack.process.gave_up', process: opts.name, code, signal },
          `${opts.name} keeps exiting; not restarting it`,
        );
        return;
      }
      const delay = Math.min(500 * 2 ** restarts, 10_000);
      opts.logger.warn(
        { event: 'stack.process.exited', process: opts.name, code, signal, restartInMs: delay },
        `${opts.name} exited; restarting`,
      );
      void sleep(delay, undefined, { ref: false }).then(() => !stopping && start());
    });
  };
  start();

  return {
    name: opts.name,
    pid: () => child?.pid,
    async stop() {
      stopping = true;
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGTERM');
      const done = await Promise.race([
        exited.then(() => true),
        sleep(25_000, undefined, { ref: false }).then(() => false),
      ]);
      if (!done) {
        c.kill('SIGKILL');
        await exited;
      }
    },
  };
}
