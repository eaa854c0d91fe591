import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { FALLBACK_PATH, ProcessGroup } from '@switchboard/process';
import PQueue from 'p-queue';

import {
  BEHAVIOURS,
  CHASSIS_CONTROL_SCRIPT,
  ENV_SCRIPT,
  ENV_STATE,
  LAN_CONF_HEADER,
  renderCommandFile,
  renderLanConf,
  resolveSpec,
  ResolvedSpec,
} from './config';
import { runIpmitool } from './ipmitool';
import { allocateLoopbackAddresses } from './loopback';
import { rmcpPing } from './rmcp';
import {
  readBoot,
  readCounters,
  readEvents,
  readPower,
  writeBehaviour,
  writeInitialState,
} from './state';
import type {
  BmcBehaviour,
  BmcCounters,
  BmcEvent,
  BmcSpec,
  PowerState,
  SimulatedBmc,
  SimulatedFleet,
  StartOptions,
} from './types';

const STOP_GRACE_MS = 2000;
const DEFAULT_START_TIMEOUT_MS = 10_000;
const DEFAULT_PROBE_CONCURRENCY = 32;

// Temporary directories this process made, removed when it exits (best effort). The ipmi_sim
// processes need no such hook: @switchboard/process ties their groups to this process's life.
const ownedDirs = new Set<string>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const dir of ownedDirs) {
      try {
        fs.rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------

// p-queue (already a root dependency) bounds how many probes run at once.
type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

function createLimiter(concurrency: number): Limiter {
  const queue = new PQueue({ concurrency });
  return (task) => queue.add(task);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const COMMAND_FILE = '.bmc-sim-commands.emu'; // names cannot start with a dot, so no clash
const OUTPUT_LIMIT = 16 * 1024;

/**
 * Creates `<baseDir>/<name>`, wiping it first if an earlier run of this harness made it (its
 * lan.conf carries our header). Few files on purpose: creating a file is the slow part of a start.
 */
async function prepareDirectory(dir: string): Promise<void> {
  try {
    await fsp.mkdir(dir);
    return;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const entries = await fsp.readdir(dir);
  if (entries.length > 0) {
    const lanConf = await fsp.readFile(path.join(dir, 'lan.conf'), 'utf8').catch(() => '');
    if (!lanConf.startsWith(LAN_CONF_HEADER)) {
      throw new Error(
        `${dir} exists and was not made by @switchboard/bmc-sim; refusing to overwrite it`,
      );
    }
    await fsp.rm(dir, { recursive: true, force: true });
    await fsp.mkdir(dir);
  }
}

interface StartContext {
  baseDir: string;
  limiter: Limiter;
  startTimeoutMs: number;
  probe: 'rmcp' | 'ipmitool';
  ipmiSimPath: string;
}

class SimBmc implements SimulatedBmc {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly username: string;
  readonly password: string;
  readonly stateDir: string;
  private readonly group: ProcessGroup;
  private readonly exited: Promise<void>;
  private stopping: Promise<void> | undefined;
  /** Run after the process is gone, once (for example to remove a temporary directory). */
  afterStop: (() => void) | undefined;

  constructor(spec: ResolvedSpec, stateDir: string, group: ProcessGroup) {
    this.name = spec.name;
    this.host = spec.host;
    this.port = spec.port;
    this.username = spec.username;
    this.password = spec.password;
    this.stateDir = stateDir;
    this.group = group;
    // Once ipmi_sim is gone, so is whatever chassis script it was running.
    this.exited = group.exited.then(async () => {
      group.signal('SIGKILL');
      await group.waitForEnd(STOP_GRACE_MS);
      group.release();
    });
  }

  get pid(): number {
    return this.group.pid;
  }

  get running(): boolean {
    return this.group.exit === undefined;
  }

  /** Why the process is gone, for error messages. */
  describeExit(): string {
    const exit = this.group.exit;
    if (!exit) return 'is still running';
    return exit.signal ? `was killed by ${exit.signal}` : `exited with status ${exit.exitCode}`;
  }

  /**
   * What ipmi_sim wrote to stdout/stderr (the last 16 KiB each). After start-up it logs to syslog.
   */
  output(): string {
    return [this.group.output('stdout'), this.group.output('stderr')]
      .map((text) => text.trim())
      .filter(Boolean)
      .join('\n');
  }

  /** Resolves once both output pipes are closed (all output read). */
  async outputClosed(): Promise<void> {
    await this.group.closed;
  }

  power(): PowerState {
    return readPower(this.stateDir);
  }

  bootDevice(): string {
    return readBoot(this.stateDir);
  }

  setPower(state: PowerState): void {
    if (state !== 'on' && state !== 'off')
      throw new Error(`power state must be on or off, got ${String(state)}`);
    // Through the script, which serialises with the BMC's own calls.
    execFileSync(
      '/bin/sh',
      [CHASSIS_CONTROL_SCRIPT, this.stateDir, 'force', 'power', state === 'on' ? '1' : '0'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
  }

  setBehaviour(behaviour: BmcBehaviour, powerDelayMs = 2000): void {
    if (!BEHAVIOURS.includes(behaviour))
      throw new Error(`behaviour must be one of ${BEHAVIOURS.join(', ')}`);
    if (!Number.isInteger(powerDelayMs) || powerDelayMs < 0)
      throw new Error('powerDelayMs must be a whole number >= 0');
    writeBehaviour(this.stateDir, behaviour, powerDelayMs);
  }

  events(): BmcEvent[] {
    return readEvents(this.stateDir);
  }

  counters(): BmcCounters {
    return readCounters(this.stateDir);
  }

  /** Resolves once the process has exited (for any reason). */
  whenExited(): Promise<void> {
    return this.exited;
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.running) {
        const cancelKill = this.group.terminate({ graceMs: STOP_GRACE_MS });
        await this.exited;
        cancelKill();
      } else {
        await this.exited;
      }
      const after = this.afterStop;
      this.afterStop = undefined;
      after?.();
    })();
    return this.stopping;
  }
}

/** Writes the files, starts ipmi_sim and waits until it answers. Kills it again on failure. */
async function startOne(spec: ResolvedSpec, ctx: StartContext): Promise<SimBmc> {
  const stateDir = path.join(ctx.baseDir, spec.name);
  await prepareDirectory(stateDir);
  const lanConf = path.join(stateDir, 'lan.conf');
  const commandFile = path.join(ctx.baseDir, COMMAND_FILE);
  await Promise.all([
    fsp.writeFile(lanConf, renderLanConf(spec), { mode: 0o600 }),
    writeInitialState(stateDir, {
      power: spec.initialPower,
      boot: spec.bootDevice,
      behaviour: spec.behaviour,
      powerDelayMs: spec.powerDelayMs,
    }),
  ]);

  // ipmi_sim keeps its own persistent data (users, SEL, SDRs) under <stateDir>/ipmi_sim/<name>.
  const simArgs = ['-c', lanConf, '-f', commandFile, '-s', stateDir, '-n'];
  const env = {
    PATH: process.env.PATH ?? FALLBACK_PATH,
    [ENV_SCRIPT]: CHASSIS_CONTROL_SCRIPT,
    [ENV_STATE]: stateDir,
  };
  const command = `(command: ${ctx.ipmiSimPath} ${simArgs.join(' ')})`;
  let group: ProcessGroup;
  try {
    // Its own process group, so stop() also reaches a chassis script running right now.
    group = await ProcessGroup.start({
      file: ctx.ipmiSimPath,
      args: simArgs,
      cwd: stateDir,
      env,
      maxOutputBytes: OUTPUT_LIMIT,
    });
  } catch (err) {
    throw new Error(
      `ipmi_sim for BMC ${spec.name} (${spec.host}:${spec.port}) could not be started: ` +
        `${(err as Error).message}\n${command}`,
      { cause: err },
    );
  }
  const bmc = new SimBmc(spec, stateDir, group);

  const failure = async (why: string): Promise<Error> => {
    await bmc.stop();
    await bmc.outputClosed();
    const output = bmc.output();
    return new Error(
      `ipmi_sim for BMC ${spec.name} (${spec.host}:${spec.port}) ${why}` +
        (output ? `; its output:\n${output}` : ' without any output') +
        `\n${command}`,
    );
  };

  const ready = await ctx.limiter(async () => {
    const deadline = Date.now() + ctx.startTimeoutMs;
    if (ctx.probe === 'rmcp') {
      return rmcpPing(spec.host, spec.port, ctx.startTimeoutMs, { shouldStop: () => !bmc.running });
    }
    while (bmc.running && Date.now() < deadline) {
      const result = await runIpmitool(spec, ['chassis', 'power', 'status'], {
        timeoutMs: Math.max(500, Math.min(5000, deadline - Date.now())),
      });
      if (result.code === 0) return true;
      await delay(50);
    }
    return false;
  });
  if (ready && bmc.running) return bmc;

  if (!bmc.running) {
    // Let the exit status settle before describing it.
    await bmc.whenExited();
    throw await failure(`${bmc.describeExit()} during start-up`);
  }
  throw await failure(`did not answer within ${ctx.startTimeoutMs} ms`);
}

function contextFor(
  options: StartOptions,
  baseDir: string,
  probeConcurrency?: number,
): StartContext {
  return {
    baseDir,
    limiter: createLimiter(
      Math.max(1, probeConcurrency ?? options.probeConcurrency ?? DEFAULT_PROBE_CONCURRENCY),
    ),
    startTimeoutMs: options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS,
    probe: options.probe ?? 'rmcp',
    ipmiSimPath: options.ipmiSimPath ?? 'ipmi_sim',
  };
}

async function makeBaseDir(options: StartOptions): Promise<{ baseDir: string; owned: boolean }> {
  let baseDir: string;
  let owned = false;
  if (options.baseDir) {
    baseDir = path.resolve(options.baseDir);
    await fsp.mkdir(baseDir, { recursive: true });
  } else {
    baseDir = await fsp.mkdtemp(path.join(os.tmpdir(), 'switchboard-bmc-sim-'));
    owned = true;
    // Removed on process exit too, unless asked to keep it.
    if (!options.keepFiles) {
      installExitHook();
      ownedDirs.add(baseDir);
    }
  }
  // The same start-up commands for every BMC: one file per base directory.
  await fsp.writeFile(path.join(baseDir, COMMAND_FILE), renderCommandFile());
  return { baseDir, owned };
}

function removeDir(dir: string): void {
  ownedDirs.delete(dir);
  fs.rmSync(dir, { recursive: true, force: true });
}

async function withHosts<T extends BmcSpec>(specs: T[]): Promise<(T & { host: string })[]> {
  const byPort = new Map<number, number[]>();
  specs.forEach((spec, i) => {
    if (spec.host) return;
    const port = spec.port ?? 623;
    byPort.set(port, [...(byPort.get(port) ?? []), i]);
  });
  const hosts: string[] = specs.map((spec) => spec.host ?? '');
  for (const [port, indices] of byPort) {
    const addresses = await allocateLoopbackAddresses(indices.length, { port });
    indices.forEach((index, k) => (hosts[index] = addresses[k]));
  }
  return specs.map((spec, i) => ({ ...spec, host: hosts[i] }));
}

/**
 * Starts one simulated BMC: `ipmi_sim -c LAN_CONF -f CMD_FILE -s STATE_DIR -n` listening on
 * `spec.host:spec.port` (an allocated loopback address when no host is given), and resolves
 * once it answers. Throws with ipmi_sim's own output when it does not start.
 */
export async function startSimulatedBmc(
  spec: BmcSpec,
  options: StartOptions = {},
): Promise<SimulatedBmc> {
  const [withHost] = await withHosts([{ ...options.defaults, ...spec }]);
  const resolved = resolveSpec(withHost);
  const { baseDir, owned } = await makeBaseDir(options);
  try {
    const bmc = await startOne(resolved, contextFor(options, baseDir, 1));
    if (owned && !options.keepFiles) bmc.afterStop = () => removeDir(baseDir);
    return bmc;
  } catch (err) {
    if (owned && !options.keepFiles) removeDir(baseDir);
    throw err;
  }
}

/** A fleet member: like BmcSpec, but the name defaults to `bmc-NNN` (its index). */
export type FleetMemberSpec = Omit<BmcSpec, 'name'> & { name?: string };

/**
 * Starts many simulated BMCs at once (all processes in parallel, readiness probes with bounded
 * concurrency), each on its own loopback address. `specs` may be a count of default BMCs.
 * If any BMC fails to start, the others are stopped again and the error names the failures.
 */
export async function startSimulatedFleet(
  specs: number | FleetMemberSpec[],
  options: StartOptions = {},
): Promise<SimulatedFleet> {
  const list: FleetMemberSpec[] =
    typeof specs === 'number' ? Array.from({ length: specs }, () => ({})) : specs;
  const width = Math.max(3, String(list.length - 1).length);
  const named = list.map((spec, i) => ({
    ...options.defaults,
    ...spec,
    name: spec.name ?? `bmc-${String(i).padStart(width, '0')}`,
  }));

  const seenNames = new Set<string>();
  const seenEndpoints = new Set<string>();
  for (const spec of named) {
    if (seenNames.has(spec.name)) throw new Error(`duplicate BMC name ${spec.name}`);
    seenNames.add(spec.name);
    if (spec.host) {
      const endpoint = `${spec.host}:${spec.port ?? 623}`;
      if (seenEndpoints.has(endpoint)) throw new Error(`two BMCs on ${endpoint}`);
      seenEndpoints.add(endpoint);
    }
  }
  const resolved = (await withHosts(named)).map(resolveSpec);

  const { baseDir, owned } = await makeBaseDir(options);
  const ctx = contextFor(options, baseDir);
  const results = await Promise.allSettled(resolved.map((spec) => startOne(spec, ctx)));
  const bmcs = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failures = results.flatMap((r, i) =>
    r.status === 'rejected' ? [{ name: resolved[i].name, error: r.reason as Error }] : [],
  );

  const stopAll = async (): Promise<void> => {
    await Promise.all(bmcs.map((bmc) => bmc.stop()));
    if (owned && !options.keepFiles) removeDir(baseDir);
  };

  if (failures.length > 0) {
    await stopAll();
    const first = failures[0];
    throw new Error(
      `${failures.length} of ${resolved.length} simulated BMCs did not start (${failures
        .slice(0, 5)
        .map((f) => f.name)
        .join(', ')}${failures.length > 5 ? ', ...' : ''}). First: ${first.error.message}`,
      { cause: first.error },
    );
  }

  const byName = new Map(bmcs.map((bmc) => [bmc.name, bmc]));
  let stopping: Promise<void> | undefined;
  return {
    bmcs,
    baseDir,
    get(name: string): SimulatedBmc {
      const bmc = byName.get(name);
      if (!bmc) throw new Error(`no simulated BMC named ${name}`);
      return bmc;
    },
    stop(): Promise<void> {
      stopping ??= stopAll();
      return stopping;
    },
  };
}
