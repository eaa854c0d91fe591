#!/usr/bin/env node
// `npm run bench:profile`: where the wall time and the CPU of one (b) run go. (b) is
// `mctl power status` over BENCH_BMCS servers (default 100) through the whole system, against
// `ipmipower --stat` on the same simulated BMCs. This starts the BMCs and the stack (native
// driver only), then runs, PROFILE_RUNS times (default 5): ipmipower, mctl as a user runs it,
// and the same batch sent by this warm process over HTTP (no Node start), and prints
//  - the critical path of the median mctl run, phase by phase, from the condition records'
//    own timestamps (queued, picked up, BMC answered, final) and a trace of mctl's requests
//    (bench/trace-mctl.js, preloaded; mctl's code is unchanged);
//  - CPU seconds of every process per run (mctl, API, controller, nats-server);
//  - with PROFILE_CPU=1 (the default), where the API's and controller's CPU went over the
//    measured runs (node --cpu-prof, read by bench/cpu-profile.js) and one mctl run's profile.
// The first run after start-up opens every BMC's session (RAKP); it is shown on its own.
// Every loop is bounded; the whole run stops by itself. Results: bench/results/profile.json,
// and the profiles as bench/results/{api,controller,mctl}.cpuprofile.
const { execFile, spawn } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync, readFileSync, readdirSync } = require('node:fs');
const { mkdirSync, copyFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startSimulatedFleet } = require('@switchboard/bmc-sim');
const { startStack } = require('@switchboard/stack');
const { freePort, connectWithRetry, openBuckets, readNatsAuth } = require('@switchboard/nats');
const { ConditionStore } = require('@switchboard/condition-store');
const { silentLogger } = require('@switchboard/logging');
const { benchSecrets, waitReady, writeBenchInventory } = require('./common');
const { summarize, describe } = require('./cpu-profile');

const BMCS = Number(process.env.BENCH_BMCS ?? 100);
const RUNS = Number(process.env.PROFILE_RUNS ?? 5);
const CPU_PROF = process.env.PROFILE_CPU !== '0';
const repo = path.resolve(__dirname, '..');
// What `mctl` runs as a user runs it: the package's bin (dist/mctl.js, one bundled file).
const mctl = path.join(repo, 'apps/cli', require('../apps/cli/package.json').bin.mctl);
const TICK = 100; // USER_HZ

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
const hrUs = () => Number(process.hrtime.bigint() / 1000n);
const say = (text) => console.error(`profile: ${new Date().toISOString().slice(11, 19)} ${text}`);

function cpuOf(pid) {
  if (!pid) return 0;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
}
/** CPU of the children this process has reaped (mctl, ipmipower). */
function childrenCpu() {
  const stat = readFileSync(`/proc/${process.pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[13]) + Number(f[14])) / TICK;
}

function runChild(command, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: 'pipe' });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

/** The timestamps of one condition, from its record: epoch ms. */
function stampsOf(condition) {
  const at = (re) => {
    const r = condition.status.records.find((x) => re.test(x.msg));
    return r ? Date.parse(r.ts) : undefined;
  };
  return {
    queued: Date.parse(condition.createdAt),
    pickedUp: at(/^picked up by controller/),
    answered: at(/^power is /),
    final: Date.parse(condition.updatedAt),
    state: condition.state,
  };
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-profile-'));
  const profDir = path.join(dir, 'profiles');
  const mctlProfDir = path.join(dir, 'mctl-profiles');
  const { password, jwtSecret, token, auth } = benchSecrets();
  const loadAtStart = os.loadavg();
  const fleet = await startSimulatedFleet(BMCS, { defaults: { username: 'ADMIN', password } });
  let stack;
  let nc;
  try {
    const inventory = path.join(dir, 'topology.yaml');
    const names = writeBenchInventory(inventory, fleet);
    stack = await startStack({
      inventoryFile: inventory,
      dataDir: path.join(dir, 'data'),
      logger: silentLogger,
      natsPort: await freePort(),
      apiPort: await freePort(),
      nodeArgs: CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : [],
      env: {
        BENCH_BMC_PASSWORD: password,
        JWT_SECRET: jwtSecret,
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PER_MINUTE: '100000',
      },
    });
    await waitReady(stack.apiUrl);
    nc = await connectWithRetry({
      servers: stack.natsUrl,
      name: 'profile-fleet',
      // Read-only use: the API's user may read condition records.
      auth: stack.natsCredentials && readNatsAuth(stack.natsCredentials.clientEnv('api')),
    });
    const store = new ConditionStore(nc, await openBuckets(nc));
    const pids = {
      api: stack.processes.find((p) => p.name === 'conditions-api').pid(),
      controller: stack.processes.find((p) => p.name === 'controller').pid(),
      'nats-server': stack.nats?.pid(),
    };
    const cpuNow = () => ({
      ...Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuOf(pid)])),
      children: childrenCpu(),
    });
    const cpuSince = (before) => {
      const now = cpuNow();
      return Object.fromEntries(Object.keys(now).map((k) => [k, now[k] - before[k]]));
    };

    const range = `bench[001-${String(BMCS).padStart(3, '0')}]`;
    const mctlEnv = { MCTL_URL: stack.apiUrl, MCTL_TOKEN: token };

    const hostsFile = path.join(dir, 'hosts');
    writeFileSync(hostsFile, fleet.bmcs.map((b) => b.host).join('\n') + '\n');
    const conf = path.join(dir, 'freeipmi.conf');
    writeFileSync(conf, `username ADMIN\npassword ${password}\n`, { mode: 0o600 });
    const ipmipower = async () => {
      const before = cpuNow();
      const t0 = hrUs();
      const r = await runChild('ipmipower', [
        `--config-file=${conf}`,
        '-D',
        'LAN_2_0',
        '-I',
        '3',
        '-W',
        'opensesspriv',
        '-h',
        fleet.bmcs.map((b) => b.host).join(','),
        '--stat',
      ]);
      const ms = (hrUs() - t0) / 1000;
      const answered = r.out.split('\n').filter((l) => /: (on|off)$/.test(l)).length;
      return { ms, answered, cpu: cpuSince(before).children };
    };

    /** One mctl run as a user runs it, traced; its conditions read back from the store. */
    const mctlRun = async (label, extraNodeArgs = []) => {
      const traceFile = path.join(dir, `trace-${label}.json`);
      const before = cpuNow();
      const spawnedAt = Date.now();
      const t0 = hrUs();
      const r = await runChild(
        process.execPath,
        [
          ...extraNodeArgs,
          '-r',
          path.join(__dirname, 'trace-mctl.js'),
          mctl,
          'power',
          'status',
          range,
        ],
        { ...mctlEnv, MCTL_TRACE_FILE: traceFile },
      );
      const t1 = hrUs();
      const seenExit = Date.now();
      if (r.code !== 0)
        throw new Error(`mctl exited ${r.code}: ${r.out.slice(-300)}${r.err.slice(-300)}`);
      // Let the controller finish its last writes (claim release, ack) before reading CPU.
      await new Promise((res) => setTimeout(res, 200));
      const cpu = cpuSince(before);
      const trace = JSON.parse(readFileSync(traceFile, 'utf8'));
      const stamps = [];
      for (const name of names) {
        const c = await store.latestFor(name);
        if (!c || Date.parse(c.createdAt) < spawnedAt) throw new Error(`${name}: no condition`);
        stamps.push(stampsOf(c));
      }
      return {
        label,
        ms: (t1 - t0) / 1000,
        window: [t0, t1],
        spawnedAt,
        seenExit,
        trace,
        stamps,
        cpu,
      };
    };
    const mctlTimed = (label, nodeArgs) =>
      mctlRun(label, nodeArgs).catch((err) => {
        throw new Error(`${label}: ${err.message}`);
      });

    /** The same batch from this warm process: POST /conditions, then GET /outcomes to the end. */
    const httpRun = async () => {
      const before = cpuNow();
      const t0 = hrUs();
      const created = await fetch(`${stack.apiUrl}/api/v1/conditions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth },
        body: JSON.stringify({
          kind: 'serverControl',
          targets: range,
          parameters: { action: 'get_power_state' },
        }),
      });
      if (created.status !== 200) throw new Error(`POST ${created.status}`);
      const batch = await created.json();
      const refused = batch.results.filter((r) => r.outcome !== 'accepted');
      if (refused.length > 0) throw new Error(`warm HTTP run: ${JSON.stringify(refused[0])}`);
      const ids = batch.results.map((r) => r.condition.id);
      const answered = (hrUs() - t0) / 1000;
      // As mctl does: ids the answer left out are asked for again (counted: each is a round trip).
      let left = ids;
      let asks = 0;
      const finals = [];
      while (left.length > 0 && asks < 5) {
        asks++;
        const res = await fetch(
          `${stack.apiUrl}/api/v1/outcomes?ids=${left.join(',')}&wait=25000`,
          { headers: auth },
        );
        const lines = (await res.text()).trim().split('\n').filter(Boolean).map(JSON.parse);
        finals.push(...lines.filter((l) => l.condition?.state === 'succeeded'));
        const seen = new Set(lines.map((l) => l.id));
        left = left.filter((id) => !seen.has(id));
      }
      const ms = (hrUs() - t0) / 1000;
      if (finals.length !== BMCS)
        throw new Error(`warm HTTP run: ${finals.length}/${BMCS} succeeded`);
      await new Promise((res) => setTimeout(res, 200));
      return { ms, createMs: answered, outcomeRequests: asks, cpu: cpuSince(before) };
    };

    say(`${BMCS} BMCs up; first mctl run (opens every BMC session)`);
    const cold = await mctlTimed('cold');
    const rounds = [];
    for (let i = 0; i < RUNS; i++) {
      say(`round ${i + 1} of ${RUNS}`);
      const ref = await ipmipower();
      const m = await mctlTimed(`run${i}`);
      const h = await httpRun();
      rounds.push({ ipmipower: ref, mctl: m, http: h });
    }
    let mctlProfile;
    if (CPU_PROF) {
      say('one more mctl run with --cpu-prof');
      await mctlTimed('profiled', ['--cpu-prof', `--cpu-prof-dir=${mctlProfDir}`]);
      const file = readdirSync(mctlProfDir).find((f) => f.endsWith('.cpuprofile'));
      mctlProfile = summarize(JSON.parse(readFileSync(path.join(mctlProfDir, file), 'utf8')));
    }
    const loadAtEnd = os.loadavg();

    // The median mctl run, phase by phase.
    const byTime = [...rounds].sort((a, b) => a.mctl.ms - b.mctl.ms);
    const mid = byTime[Math.floor((byTime.length - 1) / 2)].mctl;
    const phases = (run) => {
      const s = run.stamps;
      const t = (x) => x - run.spawnedAt;
      const post = run.trace.requests.find((r) => r.method === 'POST');
      const outcomes = run.trace.requests.find((r) => r.path.endsWith('/outcomes'));
      const max = (k) => Math.max(...s.map((x) => x[k]));
      const min = (k) => Math.min(...s.map((x) => x[k]));
      const per = (a, b) => median(s.map((x) => x[b] - x[a]));
      return {
        timeline: [
          ['Node started, preload ran', t(run.trace.preload)],
          ['mctl loaded, POST /conditions sent', t(post.sent)],
          ['first condition queued (API)', t(min('queued'))],
          ['first picked up (controller)', t(min('pickedUp'))],
          ['last condition queued (API)', t(max('queued'))],
          ['POST answered (batch created)', t(post.answered)],
          ['POST answer read', t(post.bodyRead)],
          ['GET /outcomes sent', t(outcomes.sent)],
          ['last picked up (controller)', t(max('pickedUp'))],
          ['last BMC answered', t(max('answered'))],
          ['last final written', t(max('final'))],
          ['GET /outcomes answer ended (last outcome in)', t(outcomes.bodyRead)],
          ['mctl exited', t(run.trace.exit)],
          ['exit seen by the parent', t(run.seenExit)],
        ],
        // The most conditions held by the controller at once (picked up, not yet final): at
        // FANOUT, the rest of the batch waited for a slot, a second wave.
        mostHeld: Math.max(
          ...s.map((x) => s.filter((y) => y.pickedUp <= x.pickedUp && y.final > x.pickedUp).length),
        ),
        // Picked up only after another of the batch was final.
        afterFirstFinal: s.filter((x) => x.pickedUp > min('final')).length,
        perCondition: [
          ['queued -> picked up (publish, delivery, claim read)', per('queued', 'pickedUp')],
          ['picked up -> BMC answered (lock, IPMI)', per('pickedUp', 'answered')],
          ['BMC answered -> final written', per('answered', 'final')],
        ],
        critical: [
          ['mctl start (spawn to POST sent)', post.sent - run.spawnedAt],
          ['batch create (POST sent to answered)', post.answered - post.sent],
          [
            'work still running after the answer (to last final)',
            Math.max(0, max('final') - post.answered),
          ],
          [
            'last final to its outcome in mctl (KV watch, API, stream)',
            outcomes.bodyRead - Math.max(max('final'), outcomes.sent),
          ],
          ['last outcome in to mctl exit (print, exit)', run.trace.exit - outcomes.bodyRead],
          ['mctl exit to parent', run.seenExit - run.trace.exit],
        ],
      };
    };
    const fmtRows = (rows) => rows.map(([k, v]) => `  ${v.toFixed(0).padStart(6)} ms  ${k}`);
    const cpuMs = (runs, key) => median(runs.map((r) => r.cpu[key] * 1000)).toFixed(0);
    const mRuns = rounds.map((r) => r.mctl);
    const hRuns = rounds.map((r) => r.http);
    const p = phases(mid);
    const out = [];
    out.push(
      `Machine: ${os.cpus().length} x ${os.cpus()[0].model}, Node ${process.version}; load ` +
        `average at start ${loadAtStart.map((l) => l.toFixed(1)).join(' ')}, at end ` +
        `${loadAtEnd.map((l) => l.toFixed(1)).join(' ')}`,
    );
    out.push(
      `${BMCS} simulated BMCs, ${RUNS} rounds (medians)${CPU_PROF ? ', API and controller under --cpu-prof' : ''}`,
    );
    out.push(
      `  ipmipower --stat: ${median(rounds.map((r) => r.ipmipower.ms)).toFixed(0)} ms ` +
        `(CPU ${median(rounds.map((r) => r.ipmipower.cpu * 1000)).toFixed(0)} ms)`,
    );
    out.push(
      `  mctl power status: ${median(mRuns.map((r) => r.ms)).toFixed(0)} ms; ratio ` +
        `${(median(mRuns.map((r) => r.ms)) / median(rounds.map((r) => r.ipmipower.ms))).toFixed(2)}x`,
    );
    out.push(
      `  the same batch over HTTP from a warm client (no Node start): ` +
        `${median(hRuns.map((r) => r.ms)).toFixed(0)} ms (create answered at ` +
        `${median(hRuns.map((r) => r.createMs)).toFixed(0)} ms); ratio ` +
        `${(median(hRuns.map((r) => r.ms)) / median(rounds.map((r) => r.ipmipower.ms))).toFixed(2)}x`,
    );
    const asked = (n) =>
      `GET /outcomes requests per run: median ${median(n)}, most ${Math.max(...n)}`;
    out.push(
      `  mctl ${asked(mRuns.map((r) => r.trace.requests.filter((q) => q.path.endsWith('/outcomes')).length))}; warm HTTP ${asked(hRuns.map((r) => r.outcomeRequests))}`,
    );
    out.push(`  first mctl run after start-up (opens every BMC session): ${cold.ms.toFixed(0)} ms`);
    out.push(`Median mctl run (${mid.ms.toFixed(0)} ms), timeline from spawn:`);
    out.push(...fmtRows(p.timeline));
    out.push('Critical path:');
    out.push(...fmtRows(p.critical));
    out.push(
      `Most conditions held by the controller at once: ${p.mostHeld} (FANOUT ` +
        `${process.env.FANOUT ?? 'default'}); picked up after the first was final: ` +
        `${p.afterFirstFinal} of ${BMCS}`,
    );
    out.push('Per condition (median):');
    out.push(...fmtRows(p.perCondition));
    out.push('CPU per run (median, ms): process: mctl run / warm HTTP run');
    for (const [name, key] of [
      ['mctl', 'children'],
      ['API', 'api'],
      ['controller', 'controller'],
      ['nats-server', 'nats-server'],
    ])
      out.push(
        `  ${name.padEnd(12)} ${cpuMs(mRuns, key).padStart(5)} / ${key === 'children' ? '-' : cpuMs(hRuns, key)}`,
      );
    if (CPU_PROF) {
      // Stop the stack first: the API and controller write their profiles on exit.
      await nc.close();
      nc = undefined;
      await stack.stop();
      stack = undefined;
      const windows = mRuns.map((r) => r.window);
      mkdirSync(path.join(__dirname, 'results'), { recursive: true });
      for (const file of readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'))) {
        const profile = JSON.parse(readFileSync(path.join(profDir, file), 'utf8'));
        const pidOf = Number(/\.(\d+)\.\d+\.\d+\.cpuprofile$/.exec(file)?.[1]);
        const who = Object.entries(pids).find(([, pid]) => pid === pidOf)?.[0] ?? file;
        // Kept for a closer look (Chrome DevTools, or node bench/cpu-profile.js FILE).
        copyFileSync(
          path.join(profDir, file),
          path.join(__dirname, 'results', `${who}.cpuprofile`),
        );
        out.push(`${who}: CPU over the ${windows.length} mctl runs`);
        out.push(...describe(summarize(profile, windows)).map((l) => `  ${l}`));
      }
      const mctlFile = readdirSync(mctlProfDir).find((f) => f.endsWith('.cpuprofile'));
      copyFileSync(
        path.join(mctlProfDir, mctlFile),
        path.join(__dirname, 'results', 'mctl.cpuprofile'),
      );
      out.push('mctl (one run):');
      out.push(...describe(mctlProfile).map((l) => `  ${l}`));
    }
    console.log(out.join('\n'));
    mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    writeFileSync(
      path.join(__dirname, 'results', 'profile.json'),
      JSON.stringify({ loadAtStart, loadAtEnd, cold: { ms: cold.ms }, rounds, median: p }, null, 2),
    );
  } finally {
    await nc?.close();
    await stack?.stop();
    await fleet.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`profile: ${err.stack ?? err}`);
    process.exit(1);
  },
);
