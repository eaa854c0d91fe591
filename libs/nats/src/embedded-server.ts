import { spawn, ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@switchboard/logging';
import { silentLogger } from '@switchboard/logging';
import { dyingWithParent } from './death-signal';
import { freePort } from './free-port';

export interface EmbeddedNatsOptions {
  /** JetStream storage directory; created if missing. */
  dataDir: string;
  host?: string;
  /** Defaults to a free port. */
  port?: number;
  logger?: Logger;
  binary?: string;
  startTimeoutMs?: number;
  /** server_name: required by JetStream in a cluster, and how stream leaders are named. */
  serverName?: string;
  /**
   * Join a cluster: routes listened for on `port`, `routes` dialled (its own may be one). Not
   * with route authorization: `--cluster` drops it; that goes into `configFile` whole.
   */
  cluster?: { name: string; port: number; routes: string[] };
  /** HTTP monitoring port (/varz, /jsz); none when absent. */
  monitorPort?: number;
  /**
   * A nats-server configuration file read before the flags (`-c`): where authorization and
   * TLS go, so that no password is on the command line.
   */
  configFile?: string;
}

export interface EmbeddedNats {
  url: string;
  port: number;
  pid: number;
  /** The options it was started with, ports filled in: starting it again with them restarts it. */
  options: EmbeddedNatsOptions & { host: string; port: number };
  /** Stops the server (SIGTERM, then SIGKILL after a grace period). */
  stop(): Promise<void>;
  /** Ends the server abruptly, as a crash would. */
  kill(): void;
  exited: Promise<number | null>;
}

/** nats-server prints a banner before its fatal line; the fatal line is what an operator needs. */
function lastErrorLine(output: string): string {
  const lines = output.trim().split('\n');
  const fatal = lines.filter((l) => /\[(FTL|ERR)\]/.test(l));
  return (fatal.length > 0 ? fatal : lines.slice(-1)).join('; ');
}

/**
 * A client refused a publish or a subscription by its permissions: an attempt to do what its
 * user may not, or a permission list short of what the code does. Either way worth a warning.
 */
function reportViolation(log: Logger, line: string, pid: number | undefined): void {
  const found = /(Publish|Subscription) Violation - (.*)$/.exec(line);
  if (!found) return;
  const user = /User "([^"]*)"/.exec(found[2])?.[1];
  const subject = /Subject "([^"]*)"/.exec(found[2])?.[1];
  log.warn(
    { event: 'nats.permission_violation', kind: found[1].toLowerCase(), user, subject, pid },
    `NATS refused a ${found[1].toLowerCase()}: ${found[2]}`,
  );
}

function portAnswers(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Runs nats-server with JetStream as a child process: the default when NATS_URL is not
 * given, and what every integration test uses. The server binds loopback only.
 */
export async function startEmbeddedNats(opts: EmbeddedNatsOptions): Promise<EmbeddedNats> {
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port ?? (await freePort(host));
  const log = opts.logger ?? silentLogger;
  mkdirSync(opts.dataDir, { recursive: true });
  const args = [
    ...(opts.configFile ? ['-c', opts.configFile] : []),
    ...['-a', host, '-p', String(port), '-js', '-sd', opts.dataDir],
  ];
  if (opts.serverName) args.push('-n', opts.serverName);
  if (opts.cluster) {
    args.push(
      '--cluster_name',
      opts.cluster.name,
      '--cluster',
      `nats://${host}:${opts.cluster.port}`,
    );
    // Routes with credentials are in the configuration file, never on the command line.
    if (opts.cluster.routes.length > 0) args.push('--routes', opts.cluster.routes.join(','));
  }
  if (opts.monitorPort !== undefined) args.push('-m', String(opts.monitorPort));
  const [command, argv] = dyingWithParent(opts.binary ?? 'nats-server', args);
  const child: ChildProcess = spawn(command, argv, {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  let ready = false;
  let partial = '';
  child.stderr?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
    ready ||= /Server is ready/.test(output);
    const lines = (partial + d.toString()).split('\n');
    partial = lines.pop()!.slice(-4000);
    for (const line of lines) reportViolation(log, line, child.pid);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const cleanupOnExit = () => child.kill('SIGKILL');
  process.once('exit', cleanupOnExit);

  const deadline = Date.now() + (opts.startTimeoutMs ?? 10_000);
  for (;;) {
    const failure = await Promise.race([
      spawnError.then(
        (e) => `could not start nats-server: ${e.message} (install the Debian package nats-server)`,
      ),
      exited.then(
        (code) =>
          `nats-server exited with status ${code} before it was ready: ${lastErrorLine(output)}`,
      ),
      sleep(50).then(() => null),
    ]);
    if (failure) {
      process.removeListener('exit', cleanupOnExit);
      throw new Error(failure);
    }
    // Something else may already listen on the port: only nats-server's own word counts.
    if (ready && (await portAnswers(host, port))) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(
        `nats-server did not listen on ${host}:${port} within ` +
          `${opts.startTimeoutMs ?? 10_000} ms: ${lastErrorLine(output)}`,
      );
    }
  }
  log.info(
    {
      event: 'nats.embedded.started',
      url: `nats://${host}:${port}`,
      dataDir: opts.dataDir,
      pid: child.pid,
    },
    'embedded nats-server started',
  );

  return {
    url: `nats://${host}:${port}`,
    port,
    pid: child.pid!,
    options: { ...opts, host, port },
    exited,
    kill: () => {
      child.kill('SIGKILL');
      process.removeListener('exit', cleanupOnExit);
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const done = await Promise.race([
        exited.then(() => true),
        sleep(5000, undefined, { ref: false }).then(() => false),
      ]);
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
      process.removeListener('exit', cleanupOnExit);
      log.info({ event: 'nats.embedded.stopped', pid: child.pid }, 'embedded nats-server stopped');
    },
  };
}
