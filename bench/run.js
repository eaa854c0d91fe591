#!/usr/bin/env node
// `npm run bench`: Switchboard against raw ipmitool and ipmipower on the same simulated
// BMCs, in one run, on this machine. Prints ratios, not absolute claims. Every loop is
// bounded in count; the whole run stops by itself. Both IPMI drivers run in the same stack:
// the inventory lists every BMC twice, as benchNNN (native RMCP+, the default) and as toolNNN
// (`driver: ipmitool`).
const { execFile, spawn } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');
const { startSimulatedFleet } = require('@switchboard/bmc-sim');
const { startStack } = require('@switchboard/stack');
const { freePort } = require('@switchboard/nats');
const { silentLogger } = require('@switchboard/logging');
const { MINIMAL_IPMITOOL_HOME } = require('@switchboard/drivers');
const { benchSecrets, waitReady } = require('./common');

const run = promisify(execFile);
const BMCS = Number(process.env.BENCH_BMCS ?? 100);
// The scale phase: this many BMCs in all (the first BMCS of them serve the other phases).
const SCALE_BMCS = Math.max(BMCS, Number(process.env.BENCH_SCALE_BMCS ?? 500));
const SCALE_RUNS = Number(process.env.BENCH_SCALE_RUNS ?? 1);
const SINGLE_RUNS = Number(process.env.BENCH_SINGLE_RUNS ?? 30);
const FLEET_RUNS = Number(process.env.BENCH_FLEET_RUNS ?? 3);
const repo = path.resolve(__dirname, '..');
// What `mctl` runs as a user runs it: the package's bin (dist/mctl.js, one bundled file).
const mctl = path.join(repo, 'apps/cli', require('../apps/cli/package.json').bin.mctl);

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)];
};
const p95 = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(s.length * 0.95) - 1)];
};
const fmt = (x) => `${x.toFixed(1)} ms`;
const phase = (text) => console.error(`bench: ${new Date().toISOString().slice(11, 19)} ${text}`);

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return ms(t0);
}

function shell(cmd, env) {
  return new Promise((resolve, reject) => {
    const p = spawn('bash', ['-c', cmd], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${cmd.slice(0, 80)}: exit ${code}: ${err.slice(0, 500)}`)),
    );
  });
}

/** CPU seconds of a process so far: its own, and with the children it has reaped (ipmitool). */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const tick = 100; // USER_HZ on Linux
  const [utime, stime, cutime, cstime] = fields.slice(11, 15).map(Number);
  return { own: (utime + stime) / tick, withChildren: (utime + stime + cutime + cstime) / tick };
}

async function conditionRoundTrip(apiUrl, server, auth) {
  const res = await fetch(`${apiUrl}/api/v1/servers/${server}/condition/serverControl`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({ parameters: { action: 'get_power_state' } }),
  });
  if (res.status !== 200) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
  const id = (await res.json()).records.conditions[0].id;
  for (let i = 0; i < 20000; i++) {
    const c = await (
      await fetch(`${apiUrl}/api/v1/conditions/${id}?wait=10000`, { headers: auth })
    ).json();
    if (c.state === 'succeeded') return;
    if (c.state === 'failed') throw new Error(`condition failed: ${c.error}`);
  }
  throw new Error('condition did not finish');
}

/**
 * The batch `mctl power status` sends, from this process: POST /conditions, then GET /outcomes
 * read to its end; ids an answer left out are asked for again, as mctl does.
 */
async function batchOverHttp(apiUrl, targets, expected, auth) {
  const res = await fetch(`${apiUrl}/api/v1/conditions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth },
    body: JSON.stringify({
      kind: 'serverControl',
      targets,
      parameters: { action: 'get_power_state' },
    }),
  });
  if (res.status !== 200) throw new Error(`POST answered ${res.status}: ${await res.text()}`);
  let left = (await res.json()).results.map((r) => r.condition?.id).filter(Boolean);
  const created = left.length;
  for (let asks = 0; left.length > 0 && asks < 5; asks++) {
    const answer = await fetch(`${apiUrl}/api/v1/outcomes?ids=${left.join(',')}&wait=25000`, {
      headers: auth,
    });
    const lines = (await answer.text())
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    // Final lines only: one still running when the wait ran out is asked for again.
    const seen = new Set(
      lines.filter((l) => ['succeeded', 'failed'].includes(l.condition?.state)).map((l) => l.id),
    );
    left = left.filter((id) => !seen.has(id));
  }
  if (created !== expected || left.length > 0)
    throw new Error(`warm HTTP batch: ${created}/${expected} created, ${left.length} unfinished`);
}

function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-bench-'));
  const { password, jwtSecret, token, auth } = benchSecrets();
  const fleet = await startSimulatedFleet(SCALE_BMCS, {
    defaults: { username: 'ADMIN', password },
  });
  let stack;
  try {
    const pad = (i) => String(i + 1).padStart(3, '0');
    const names = fleet.bmcs.map((_, i) => `bench${pad(i)}`);
    const toolNames = fleet.bmcs.map((_, i) => `tool${pad(i)}`);
    const bmcOf = (b) =>
      `bmc: { host: ${b.host}, port: ${b.port}, username: ADMIN, password_env: ` +
      `BENCH_BMC_PASSWORD }`;
    const inventory = path.join(dir, 'topology.yaml');
    writeFileSync(
      inventory,
      [
        'static_nodes:',
        ...fleet.bmcs.map((b, i) => `  ${names[i]}: { platform: ipmi, ${bmcOf(b)} }`),
        ...fleet.bmcs.map(
          (b, i) => `  ${toolNames[i]}: { platform: ipmi, driver: ipmitool, ${bmcOf(b)} }`,
        ),
      ].join('\n') + '\n',
    );
    stack = await startStack({
      inventoryFile: inventory,
      dataDir: path.join(dir, 'data'),
      logger: silentLogger,
      natsPort: await freePort(),
      apiPort: await freePort(),
      env: {
        BENCH_BMC_PASSWORD: password,
        JWT_SECRET: jwtSecret,
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PER_MINUTE: '100000',
      },
    });
    await waitReady(stack.apiUrl);
    const first = fleet.bmcs[0];
    const ipmiEnv = { IPMI_PASSWORD: password };
    // The controller gives ipmitool a HOME whose vendor table has one entry
    // (libs/drivers/src/ipmitool-home.ts): ipmitool started that way is measured too, so the
    // figures show the system's own overhead as well.
    const lightEnv = { ...ipmiEnv, HOME: MINIMAL_IPMITOOL_HOME };
    const rawStatus = (host, env = ipmiEnv) =>
      run(
        'ipmitool',
        [
          '-I',
          'lanplus',
          '-H',
          host,
          '-p',
          String(first.port),
          '-U',
          'ADMIN',
          '-E',
          '-C',
          '3',
          'chassis',
          'power',
          'status',
        ],
        { env: { ...process.env, ...env } },
      );

    // Warm-up: first calls pay for process caches and JetStream consumer set-up.
    for (let i = 0; i < 3; i++) {
      await rawStatus(first.host);
      await rawStatus(first.host, lightEnv);
      await conditionRoundTrip(stack.apiUrl, names[0], auth);
      await conditionRoundTrip(stack.apiUrl, toolNames[0], auth);
    }

    phase('(a) one condition');
    // (a) one condition, HTTP request to `succeeded` seen by the client, against one raw ipmitool.
    const raw = [];
    const light = [];
    const cond = [];
    const condTool = [];
    for (let i = 0; i < SINGLE_RUNS; i++) {
      raw.push(await timed(() => rawStatus(first.host)));
      light.push(await timed(() => rawStatus(first.host, lightEnv)));
      cond.push(await timed(() => conditionRoundTrip(stack.apiUrl, names[0], auth)));
      condTool.push(await timed(() => conditionRoundTrip(stack.apiUrl, toolNames[0], auth)));
    }

    // (b) the whole fleet: mctl through the whole system, against xargs -P 64 ipmitool and
    // ipmipower.
    const hostsFile = path.join(dir, 'hosts');
    writeFileSync(
      hostsFile,
      fleet.bmcs
        .slice(0, BMCS)
        .map((b) => b.host)
        .join('\n') + '\n',
    );
    const scaleHostsFile = path.join(dir, 'hosts-scale');
    writeFileSync(scaleHostsFile, fleet.bmcs.map((b) => b.host).join('\n') + '\n');
    const ipmipowerConf = path.join(dir, 'freeipmi.conf');
    writeFileSync(ipmipowerConf, `username ADMIN\npassword ${password}\n`, { mode: 0o600 });
    const fleetRange = `bench[001-${String(BMCS).padStart(3, '0')}]`;
    const toolRange = `tool[001-${String(BMCS).padStart(3, '0')}]`;
    const xargs = [];
    const xargsLight = [];
    const ipmipower = [];
    const mctlRuns = [];
    const mctlTool = [];
    // Not what (b) measures: the same batch sent by this warm process over HTTP, no Node start,
    // to tell the system's own time from mctl's start-up (bench/profile-fleet.js breaks it down).
    const warmHttp = [];
    const controllerPid = stack.processes.find((p) => p.name === 'controller').pid();
    const apiPid = stack.processes.find((p) => p.name === 'conditions-api').pid();
    // CPU per run of `mctl power status`, by driver: the controller's own and with its reaped
    // ipmitool children, the API's, and mctl's (a child this process reaps).
    const cpu = { native: [], ipmitool: [] };
    const mctlFailures = [];
    // Resolves with the wall time of mctl alone: the pause after it, for the CPU figures, is not
    // part of (b).
    const mctlStatus = async (range, driver) => {
      const before = [cpuSeconds(controllerPid), cpuSeconds(apiPid), cpuSeconds(process.pid)];
      const t0 = process.hrtime.bigint();
      try {
        await run(process.execPath, [mctl, 'power', 'status', range], {
          env: { ...process.env, MCTL_URL: stack.apiUrl, MCTL_TOKEN: token },
          maxBuffer: 64 * 1024 * 1024,
        });
      } catch (error) {
        // mctl exits 1 when a server failed: counted and shown, the run goes on.
        if (error.code !== 1) throw error;
        mctlFailures.push({ range, driver, said: String(error.stdout).slice(-400) });
        console.error(`mctl ${range}: some servers failed: ${String(error.stdout).slice(-400)}`);
      }
      const wall = ms(t0);
      // Let the controller finish its last writes before reading its clock.
      await new Promise((r) => setTimeout(r, 200));
      const after = [cpuSeconds(controllerPid), cpuSeconds(apiPid), cpuSeconds(process.pid)];
      cpu[driver].push({
        servers: range === fleetRange || range === toolRange ? BMCS : SCALE_BMCS,
        own: after[0].own - before[0].own,
        withChildren: after[0].withChildren - before[0].withChildren,
        api: after[1].own - before[1].own,
        mctl: after[2].withChildren - after[2].own - (before[2].withChildren - before[2].own),
      });
      return wall;
    };
    // ipmipower exits 1 when any host fails; the hosts that answered are counted instead.
    const ipmipowerAnswers = [];
    const ipmipowerOn = (file) => async () => {
      const out = await shell(
        `ipmipower --config-file="${ipmipowerConf}" -D LAN_2_0 -I 3 -W opensesspriv -h ` +
          `"$(paste -sd, "${file}")" --stat; echo "exit=$?"`,
      );
      const hosts = readFileSync(file, 'utf8').trim().split('\n').length;
      const answered = out.split('\n').filter((l) => /: (on|off)$/.test(l)).length;
      ipmipowerAnswers.push({ hosts, answered, exit: /exit=(\d+)/.exec(out)?.[1] });
      if (answered < hosts) {
        const failed = out.split('\n').filter((l) => l.includes(':') && !/: (on|off)$/.test(l));
        console.error(
          `ipmipower: ${answered}/${hosts} answered; e.g. ${failed.slice(0, 3).join(' | ')}`,
        );
      }
    };
    const xargsCommand =
      `xargs -P 64 -I{} ipmitool -I lanplus -H {} -p ${first.port} -U ADMIN -E -C 3 ` +
      `chassis power status < "${hostsFile}" > /dev/null`;
    phase(`(b) ${BMCS} servers`);
    for (let i = 0; i < FLEET_RUNS; i++) {
      xargs.push(await timed(() => shell(xargsCommand, ipmiEnv)));
      xargsLight.push(await timed(() => shell(xargsCommand, lightEnv)));
      ipmipower.push(await timed(ipmipowerOn(hostsFile)));
      mctlRuns.push(await mctlStatus(fleetRange, 'native'));
      warmHttp.push(await timed(() => batchOverHttp(stack.apiUrl, fleetRange, BMCS, auth)));
      mctlTool.push(await mctlStatus(toolRange, 'ipmitool'));
    }

    // (c) scale: every BMC, native first, then ipmitool (peak memory read after each).
    const scale = { ipmipower: [], native: [], ipmitool: [] };
    const scaleRange = (prefix) => `${prefix}[001-${String(SCALE_BMCS).padStart(3, '0')}]`;
    const peak = {};
    phase(`(c) ${SCALE_BMCS} servers`);
    for (let i = 0; i < SCALE_RUNS; i++) {
      scale.ipmipower.push(await timed(ipmipowerOn(scaleHostsFile)));
      scale.native.push(await mctlStatus(scaleRange('bench'), 'native'));
    }
    peak.afterNative = peakRssMb(controllerPid);
    for (let i = 0; i < SCALE_RUNS; i++) {
      scale.ipmitool.push(await mctlStatus(scaleRange('tool'), 'ipmitool'));
    }
    peak.afterIpmitool = peakRssMb(controllerPid);
    const controllerPeak = peak.afterIpmitool;
    const per100 = (driver, servers, key) => {
      const runs = cpu[driver].filter((r) => r.servers === servers);
      return median(runs.map((r) => (r[key] * 100) / servers));
    };
    const cpuText = (driver, servers) =>
      `${per100(driver, servers, 'own').toFixed(2)} s own, ` +
      `${per100(driver, servers, 'withChildren').toFixed(2)} s with its ipmitool children ` +
      `(API ${per100(driver, servers, 'api').toFixed(2)} s, mctl ` +
      `${per100(driver, servers, 'mctl').toFixed(2)} s)`;

    const cpus = os.cpus();
    const machine =
      `${cpus.length} x ${cpus[0].model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ` +
      `${os.platform()} ${os.release()}, Node ${process.version}`;
    const ratio = (a, b) => `${(median(a) / median(b)).toFixed(2)}x`;
    const rows = [
      [
        '(a) power status, one server',
        `raw ipmitool median ${fmt(median(raw))}, p95 ${fmt(p95(raw))}; ipmitool with ` +
          `the controller's HOME median ${fmt(median(light))}, p95 ${fmt(p95(light))}`,
        `condition, native driver: median ${fmt(median(cond))}, p95 ${fmt(p95(cond))}; ` +
          `ipmitool driver: median ${fmt(median(condTool))}, p95 ${fmt(p95(condTool))}`,
        `native ${ratio(cond, raw)} raw ipmitool (target <= 1.0x); ipmitool driver ` +
          `${ratio(condTool, raw)} raw, ${ratio(condTool, light)} ipmitool with the ` +
          `controller's HOME`,
      ],
      [
        `(b) power status, ${BMCS} servers`,
        `ipmipower --stat median ${fmt(median(ipmipower))}; xargs -P 64 ipmitool median ` +
          `${fmt(median(xargs))}; the same with the controller's HOME ` +
          `${fmt(median(xargsLight))}`,
        `mctl, native driver: median ${fmt(median(mctlRuns))}; ipmitool driver: median ` +
          `${fmt(median(mctlTool))}`,
        `native ${ratio(mctlRuns, ipmipower)} ipmipower (target <= 2.0x), ` +
          `${ratio(mctlRuns, xargs)} xargs; ipmitool driver ${ratio(mctlTool, ipmipower)} ` +
          `ipmipower, ${ratio(mctlTool, xargs)} xargs`,
      ],
      [
        `(b') not (b): the same ${BMCS}-server batch over HTTP from a warm client, no Node start`,
        `ipmipower --stat median ${fmt(median(ipmipower))}`,
        `POST /api/v1/conditions, then GET /api/v1/outcomes to the end, native driver: median ` +
          `${fmt(median(warmHttp))}`,
        `${ratio(warmHttp, ipmipower)} ipmipower`,
      ],
      [
        `(c) power status, ${SCALE_BMCS} servers`,
        `ipmipower --stat median ${fmt(median(scale.ipmipower))}`,
        `mctl, native driver: median ${fmt(median(scale.native))}; ipmitool driver: ` +
          `median ${fmt(median(scale.ipmitool))}`,
        `native ${ratio(scale.native, scale.ipmipower)} ipmipower; ipmitool driver ` +
          `${ratio(scale.ipmitool, scale.ipmipower)} ipmipower`,
      ],
      [
        'controller CPU per 100 conditions (median of the runs)',
        '',
        `${BMCS} servers: native ${cpuText('native', BMCS)}; ipmitool ` +
          `${cpuText('ipmitool', BMCS)}. ${SCALE_BMCS} servers: native ` +
          `${cpuText('native', SCALE_BMCS)}; ipmitool ${cpuText('ipmitool', SCALE_BMCS)}`,
        `ipmitool driver / native: ` +
          `${(
            per100('ipmitool', BMCS, 'withChildren') / per100('native', BMCS, 'withChildren')
          ).toFixed(1)}x`,
      ],
      [
        'controller peak memory (VmHWM)',
        '',
        `${peak.afterNative.toFixed(0)} MiB after the native ${SCALE_BMCS}-server runs, ` +
          `${controllerPeak.toFixed(0)} MiB after the ipmitool ones`,
        '',
      ],
    ];
    console.log(`Machine: ${machine}`);
    console.log(
      `Load average at the end: ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    if (mctlFailures.length > 0)
      console.log(`mctl runs with failed servers: ${mctlFailures.length}`);
    const short = ipmipowerAnswers.filter((a) => a.answered < a.hosts);
    if (short.length > 0)
      console.log(`ipmipower runs with hosts unanswered: ${JSON.stringify(short)}`);
    console.log(
      `Runs: (a) ${SINGLE_RUNS} interleaved, (b) ${FLEET_RUNS} each on ${BMCS} simulated ` +
        `BMCs (ipmi_sim), (c) ${SCALE_RUNS} each on ${SCALE_BMCS}`,
    );
    for (const r of rows)
      console.log(`${r[0]}\n  reference: ${r[1]}\n  switchboard: ${r[2]}\n  ratio: ${r[3]}`);
    mkdirSync(path.join(__dirname, 'results'), { recursive: true });
    writeFileSync(
      path.join(__dirname, 'results', 'latest.json'),
      JSON.stringify(
        {
          machine,
          raw,
          light,
          cond,
          condTool,
          xargs,
          xargsLight,
          ipmipower,
          mctl: mctlRuns,
          warmHttp,
          mctlTool,
          scale,
          controllerCpu: cpu,
          controllerPeakMiB: peak,
          ipmipowerAnswers,
          mctlFailures,
        },
        null,
        2,
      ),
    );
  } finally {
    await stack?.stop();
    await fleet.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench: ${err.stack ?? err}`);
    process.exit(1);
  },
);
