import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { jetstreamManager } from '@nats-io/jetstream';
import type { JetStreamManager } from '@nats-io/jetstream';
import { mintToken } from '@switchboard/auth';
import { startSimulatedFleet, SimulatedFleet } from '@switchboard/bmc-sim';
import { ConditionStore } from '@switchboard/condition-store';
import {
  Condition,
  ControllerHeartbeat,
  isFinal,
  KV_CONDITIONS,
  STREAM_CONDITIONS,
} from '@switchboard/condition-types';
import type { Logger } from '@switchboard/logging';
import { silentLogger } from '@switchboard/logging';
import { connectWithRetry, freePort, openBuckets } from '@switchboard/nats';
import type { Buckets } from '@switchboard/nats';
import { Stack, startStack } from '../stack';
import { ApiPool } from './api-pool';
import { BmcSet, checkServer } from './checks';

export interface ChaosOptions {
  /** Simulated BMCs, one server each (the issue: 100). */
  bmcs: number;
  /** Conditions in all (the issue: 1000), spread evenly over the servers. */
  conditions: number;
  apis: number;
  controllers: number;
  natsServers: number;
  /** The whole run must end by then; conditions not final by then are reported. */
  deadlineMs: number;
  /** Keep the data directory and the processes' logs (printed). */
  keepFiles?: boolean;
  log?: (line: string) => void;
  logger?: Logger;
  /** Ends the run early (Ctrl-C), through the same clean-up. */
  signal?: AbortSignal;
}

export interface KillFigure {
  what: string;
  victim: string;
  /** Conditions in flight (accepted, not final) when it was killed. */
  inFlight: number;
  /** Kill until the system completed work again (a probe condition, or the victim's conditions). */
  recoveryMs: number;
  /** For a controller: its conditions that another replica (or its restart) finished. */
  takenOver?: number;
}

export interface ChaosReport {
  accepted: number;
  succeeded: number;
  failed: number;
  notFinal: string[];
  /** Create requests that met no API or a 5xx, and 409s (retried by the client). */
  unavailable: number;
  busy: number;
  /** Conditions whose create answer was lost, learned from a 409. */
  learned: number;
  /** Of those, creates that failed and were undone (no record): never accepted. */
  withdrawn: number;
  /** Why accepted conditions failed: error text (numbers elided) and how many. */
  failedWhy: Array<[string, number]>;
  kills: KillFigure[];
  violations: string[];
  failures: string[];
  durationMs: number;
  conditionsPerSecond: number;
  dataDir?: string;
}

const MIX: Array<[string, object]> = [
  ['on', { action: 'set_power_state', action_parameter: 'on' }],
  ['off', { action: 'set_power_state', action_parameter: 'off' }],
  ['on', { action: 'set_power_state', action_parameter: 'on' }],
  ['off', { action: 'set_power_state', action_parameter: 'off' }],
  ['cycle', { action: 'set_power_state', action_parameter: 'cycle' }],
  ['status', { action: 'get_power_state' }],
];

const PROBE = 'probe';

let aborted: AbortSignal | undefined;

async function until<T>(
  what: string,
  deadline: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  for (;;) {
    aborted?.throwIfAborted();
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`chaos: timed out waiting for ${what}`);
    await sleep(200);
  }
}

/**
 * The chaos run of issue 13: a NATS cluster, several APIs and controllers over simulated
 * BMCs, conditions of every power kind running, while in turn the stream's leader, a KV
 * bucket's leader, a controller and an API are killed with SIGKILL and restarted. Then checks
 * from the records and from the BMCs' own logs (see checks.ts). Bounded: every wait has a deadline.
 */
export async function runChaos(opts: ChaosOptions): Promise<ChaosReport> {
  const log = opts.log ?? (() => undefined);
  aborted = opts.signal;
  const timeLeft = () => !opts.signal?.aborted && Date.now() < deadline;
  const started = Date.now();
  const deadline = started + opts.deadlineMs;
  const dir = mkdtempSync(join(tmpdir(), 'sb-chaos-'));
  let keep = opts.keepFiles ?? false;
  const password = randomBytes(9).toString('base64url');
  const jwtSecret = randomBytes(48).toString('base64url');
  const token = mintToken({ subject: 'chaos', scopes: ['admin'], days: 1 }, jwtSecret);
  const names = Array.from(
    { length: opts.bmcs },
    (_, i) => `chaos${String(i + 1).padStart(3, '0')}`,
  );
  let fleet: SimulatedFleet | undefined;
  let stack: Stack | undefined;
  let harness: Awaited<ReturnType<typeof connectWithRetry>> | undefined;
  try {
    fleet = await startSimulatedFleet(
      [...names, PROBE].map((name) => ({ name })),
      { defaults: { username: 'ADMIN', password }, baseDir: join(dir, 'bmcs') },
    );
    const inventory = join(dir, 'topology.yaml');
    writeFileSync(
      inventory,
      [
        'static_nodes:',
        ...fleet.bmcs.map(
          (b) =>
            `  ${b.name}: { platform: ipmi, bmc: { host: ${b.host}, port: ${b.port}, ` +
            'username: ADMIN, password_env: CHAOS_BMC_PASSWORD } }',
        ),
      ].join('\n') + '\n',
    );
    stack = await startStackOnFreePorts(async () => ({
      inventoryFile: inventory,
      dataDir: join(dir, 'data'),
      logger: opts.logger ?? silentLogger,
      logDir: join(dir, 'logs'),
      natsCluster: opts.natsServers,
      natsPort: await freePort(),
      natsClusterPort: await freePort(),
      natsMonitorPort: await freePort(),
      apiPort: await freePort(),
      apis: opts.apis,
      controllers: opts.controllers,
      env: {
        CHAOS_BMC_PASSWORD: password,
        JWT_SECRET: jwtSecret,
        LOG_LEVEL: 'info',
        RATE_LIMIT_PER_MINUTE: '1000000',
      },
    }));
    log(
      `stack up: ${opts.natsServers} nats-servers, ${opts.apis} APIs, ` +
        `${opts.controllers} controllers, ${opts.bmcs} BMCs; logs in ${join(dir, 'logs')}`,
    );
    for (const url of stack.apiUrls)
      await until(`${url}/readyz`, Date.now() + 60_000, async () =>
        (await fetch(`${url}/readyz`)).ok ? true : undefined,
      );
    harness = await connectWithRetry({
      servers: stack.natsUrl,
      name: 'chaos-harness',
      auth: stack.natsCredentials?.clientAuth('api'),
    });
    const jsm = await jetstreamManager(harness);
    const buckets = await openBuckets(harness);
    const store = new ConditionStore(harness, buckets);
    const pool = new ApiPool(stack.apiUrls, token);

    // The workload: one client per server, one condition at a time (a server has one at once).
    const accepted = new Set<string>();
    /** Conditions learned from a 409 (their create's answer was lost), not accepted by an API. */
    const learned = new Set<string>();
    const inFlight = new Set<string>();
    let done = 0;
    // Clients go on past their share until the last kill is over: every kill meets load.
    let killsDone = false;
    const perServer = Math.ceil(opts.conditions / opts.bmcs);
    const total = perServer * opts.bmcs; // at least; see killsDone
    const worker = async (server: string, s: number): Promise<void> => {
      for (let k = 0; (k < perServer || !killsDone) && timeLeft(); k++) {
        const [, parameters] = MIX[(s * 7 + k * 5) % MIX.length];
        for (let attempt = 0; timeLeft(); attempt++) {
          const outcome = await pool.create(server, parameters);
          if (outcome.kind === 'unavailable') {
            await sleep(Math.min(2000, 200 * 2 ** Math.min(attempt, 4)));
            continue;
          }
          // A 409 names a condition already on the server: ours, whose answer a dying API or
          // NATS member never gave, or one created on retry. Either way it runs: wait for it.
          const id = outcome.id;
          if (!id) {
            await sleep(500);
            continue;
          }
          (outcome.kind === 'accepted' ? accepted : learned).add(id);
          inFlight.add(id);
          // One learned from a 409 may never have been queued (its API died between the claim
          // and the publish): it stays pending until a create meets its claim after
          // ABANDONED_CREATE_MS and fails it ("never queued"). So wait for it a while, then
          // create again.
          const waitUntil =
            outcome.kind === 'accepted' ? deadline : Math.min(deadline, Date.now() + 40_000);
          await pool.waitFinal(id, waitUntil);
          inFlight.delete(id);
          if (outcome.kind === 'accepted') break;
        }
        done++;
      }
    };
    const workload = Promise.all(names.map((n, i) => worker(n, i)));
    const progress = () => `${done}/${total} done, ${inFlight.size} in flight`;

    const kills: KillFigure[] = [];
    const failures: string[] = [];
    const probe = async (since: number): Promise<number> =>
      until('a probe condition to complete', deadline, async () => {
        const outcome = await pool.create(PROBE, { action: 'get_power_state' });
        if (outcome.kind !== 'accepted') return undefined;
        const c = await pool.waitFinal(outcome.id, Math.min(deadline, Date.now() + 30_000));
        return c?.state === 'succeeded' ? Date.now() - since : undefined;
      });
    const atProgress = (fraction: number) =>
      until(`${fraction * 100}% of the conditions`, deadline, async () =>
        done >= total * fraction || done === total ? true : undefined,
      );
    const killNats = async (what: string, stream: string) => {
      const leader = (await jsm.streams.info(stream)).cluster?.leader;
      if (!leader) throw new Error(`${stream} has no leader`);
      const member = stack!.natsCluster!.member(leader);
      const load = inFlight.size;
      const t0 = Date.now();
      await member.kill();
      log(`killed ${what} ${leader} (${progress()})`);
      const recoveryMs = await probe(t0);
      kills.push({ what, victim: leader, inFlight: load, recoveryMs });
      await member.restart();
      await stack!.natsCluster!.ready();
      log(`${leader} restarted; the system answered again ${recoveryMs} ms after the kill`);
    };

    await atProgress(0.1);
    await killNats('the conditions stream leader', STREAM_CONDITIONS);
    await atProgress(0.25);
    await killNats('the conditions KV bucket leader', `KV_${KV_CONDITIONS}`);

    await atProgress(0.4);
    {
      const { victim, held } = await busiestController(buckets, store, deadline);
      const supervised = stack.controllers.find((c) => victim.endsWith(c.name))!;
      const t0 = Date.now();
      process.kill(supervised.pid()!, 'SIGKILL');
      log(`killed controller ${victim} holding ${held.length} conditions (${progress()})`);
      await until("the killed controller's conditions to be final", deadline, async () => {
        for (const id of held) {
          const c = await store.get(id);
          if (c && !isFinal(c.state)) return undefined;
        }
        return true;
      });
      kills.push({
        what: 'a controller',
        victim,
        inFlight: held.length,
        recoveryMs: Date.now() - t0,
        takenOver: held.length,
      });
      log(`its ${held.length} conditions were final ${Date.now() - t0} ms after the kill`);
    }

    await atProgress(0.5);
    {
      const api = stack.apis[0];
      const t0 = Date.now();
      const load = inFlight.size;
      process.kill(api.pid()!, 'SIGKILL');
      log(`killed ${api.name} (${progress()})`);
      const recoveryMs = await probe(t0);
      await until(`${stack.apiUrls[0]} back`, deadline, async () =>
        (await fetch(`${stack!.apiUrls[0]}/readyz`)).ok ? true : undefined,
      );
      kills.push({ what: 'an API', victim: api.name, inFlight: load, recoveryMs });
      log(
        `requests were answered again ${recoveryMs} ms after the kill; ` +
          `it is back after ${Date.now() - t0} ms`,
      );
    }

    killsDone = true;
    await Promise.race([
      workload,
      sleep(Math.max(0, deadline - Date.now()), undefined, { ref: false }),
    ]);
    const durationMs = Date.now() - started;
    log(`workload over: ${progress()}`);

    // The verdict, from the records and from the BMCs.
    const all = await allConditions(buckets);
    const byId = new Map(all.map((c) => [c.id, c]));
    // Those learned from a 409 must end final too (done or failed as never queued), unless
    // they never came to be: a 409 may name a create in progress that then failed and was
    // undone (its client got a 503), leaving no record. Nobody was told it was accepted.
    const withdrawn = [...learned].filter((id) => !accepted.has(id) && !byId.has(id));
    const notFinal = [...accepted, ...learned].filter(
      (id) => !withdrawn.includes(id) && !isFinal(byId.get(id)?.state ?? 'pending'),
    );
    const violations: string[] = [];
    const evidence: string[] = [];
    for (const bmc of fleet.bmcs.filter((b) => b.name !== PROBE)) {
      const conditions = all.filter((c) => c.target === bmc.name);
      const verdict = checkServer(bmc.name, conditions, bmc.events(), bmc.power());
      violations.push(...verdict.violations.map((v) => `${bmc.name}: ${v}`));
      if (verdict.violations.length > 0)
        evidence.push(describeServer(bmc.name, conditions, bmc.events()));
    }
    // Accepted means JetStream stored its message: failing one as never queued would be false.
    for (const id of accepted) {
      const c = byId.get(id);
      if (c?.state !== 'failed' || !/never queued/.test(c.error ?? '')) continue;
      violations.push(`${c.target}: condition ${id} was accepted, then failed as never queued`);
      evidence.push(
        describeServer(
          c.target,
          all.filter((x) => x.target === c.target),
          [],
        ),
      );
    }
    for (const id of notFinal) {
      const c = byId.get(id);
      const server = c?.target;
      evidence.push(
        server
          ? describeServer(
              server,
              all.filter((x) => x.target === server),
              [],
            )
          : `== ${id}: no record\n`,
      );
    }
    // What a violation needs to be understood: kept with the processes' logs.
    if (evidence.length > 0) {
      keep = true;
      writeFileSync(join(dir, 'violations.txt'), evidence.join('\n'));
      log(`evidence of the violations: ${join(dir, 'violations.txt')}`);
    }
    for (const k of kills)
      if (k.recoveryMs > 60_000)
        failures.push(`${k.what} (${k.victim}): recovery took ${k.recoveryMs} ms`);
    const ours = [...accepted].map((id) => byId.get(id)).filter((c): c is Condition => !!c);
    return {
      accepted: accepted.size,
      succeeded: ours.filter((c) => c.state === 'succeeded').length,
      failed: ours.filter((c) => c.state === 'failed').length,
      failedWhy: countReasons(ours.filter((c) => c.state === 'failed')),
      notFinal,
      unavailable: pool.counts.unavailable,
      busy: pool.counts.busy,
      learned: learned.size,
      withdrawn: withdrawn.length,
      kills,
      violations,
      failures,
      durationMs,
      conditionsPerSecond: (accepted.size / durationMs) * 1000,
      ...(keep ? { dataDir: dir } : {}),
    };
  } finally {
    await harness?.close().catch(() => undefined);
    await stack?.stop();
    await fleet?.stop();
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

/** The controller with the most conditions in hand, by its heartbeat, once one has some. */
async function busiestController(
  buckets: Buckets,
  store: ConditionStore,
  deadline: number,
): Promise<{ victim: string; held: string[] }> {
  return until('a controller with work in hand', deadline, async () => {
    let best: { victim: string; held: string[] } | undefined;
    for await (const key of await buckets.controllers.keys()) {
      const e = await buckets.controllers.get(key);
      if (e?.operation !== 'PUT') continue;
      const hb = JSON.parse(e.string()) as ControllerHeartbeat;
      // Its heartbeat may be 5 s old: only what it still holds counts.
      const held: string[] = [];
      for (const id of hb.inFlight) {
        const c = await store.get(id);
        if (c && !isFinal(c.state) && c.controller === hb.id) held.push(id);
      }
      if (!best || held.length > best.held.length) best = { victim: hb.id, held };
    }
    return best && best.held.length > 0 ? best : undefined;
  });
}

/**
 * Starts the stack on ports found free a moment before. Another process on the machine may
 * take one of them first (the cluster's ports run on from each base): then it starts again on
 * new ones, at most three times.
 */
async function startStackOnFreePorts(
  options: () => Promise<Parameters<typeof startStack>[0]>,
): Promise<Stack> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startStack(await options());
    } catch (err) {
      if (attempt >= 3 || !/address already in use/i.test((err as Error).message)) throw err;
    }
  }
}

/** Error texts of failed conditions, numbers and ids elided, most frequent first. */
function countReasons(failed: Condition[]): Array<[string, number]> {
  const counts = new Map<string, number>();
  for (const c of failed) {
    const why = (c.error ?? 'no error given').replace(/[0-9a-f-]{36}|\d+(\.\d+)?/g, 'N');
    counts.set(why, (counts.get(why) ?? 0) + 1);
  }
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/** One server's conditions, record by record, and its BMC's log, in time order. */
function describeServer(server: string, conditions: Condition[], sets: BmcSet[]): string {
  const lines: Array<[number, string]> = sets.map((e) => [e.ts, `BMC ${e.action} ${e.value}`]);
  for (const c of conditions) {
    const p = c.parameters as { action?: string; action_parameter?: string };
    const what = `${c.id.slice(0, 8)} ${p.action ?? c.kind} ${p.action_parameter ?? ''}`.trim();
    lines.push([Date.parse(c.createdAt), `${what}: created by ${c.requestedBy}`]);
    for (const r of c.status.records) lines.push([Date.parse(r.ts), `${what}: ${r.msg}`]);
    lines.push([Date.parse(c.updatedAt), `${what}: ${c.state} (controller ${c.controller})`]);
  }
  lines.sort((a, b) => a[0] - b[0]);
  return [
    `== ${server}`,
    ...lines.map(([ts, line]) => `${new Date(ts).toISOString()} ${line}`),
    '',
  ].join('\n');
}

async function allConditions(buckets: Buckets): Promise<Condition[]> {
  const out: Condition[] = [];
  for await (const key of await buckets.conditions.keys('c.>')) {
    const e = await buckets.conditions.get(key);
    if (e?.operation === 'PUT') out.push(JSON.parse(e.string()) as Condition);
  }
  return out;
}

export type { JetStreamManager };
