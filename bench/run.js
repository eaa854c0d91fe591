#!/usr/bin/env node
// `npm run bench`: Switchboard against raw ipmitool and ipmipower on the same simulated
// BMCs, in one run, on this machine. Prints ratios, not absolute claims. Every loop is
// bounded in count; the whole run stops by itself.
const { execFile, spawn } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync, readFileSync, mkdirSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');
const { randomBytes } = require('node:crypto');
const { startSimulatedFleet } = require('@switchboard/bmc-sim');
const { startStack } = require('@switchboard/stack');
const { freePort } = require('@switchboard/nats');
const { silentLogger } = require('@switchboard/logging');
const { mintToken } = require('@switchboard/auth');
const { MINIMAL_IPMITOOL_HOME } = require('@switchboard/drivers');

const run = promisify(execFile);
const BMCS = Number(process.env.BENCH_BMCS ?? 100);
const SINGLE_RUNS = Number(process.env.BENCH_SINGLE_RUNS ?? 30);
const FLEET_RUNS = Number(process.env.BENCH_FLEET_RUNS ?? 3);
const repo = path.resolve(__dirname, '..');
const mctl = path.join(repo, 'apps/cli/dist/main.js');

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

async function waitReady(url) {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}/readyz not ready after 30 s`);
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

function peakRssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-bench-'));
  const password = randomBytes(9).toString('base64url');
  const jwtSecret = randomBytes(48).toString('base64url');
  const token = mintToken({ subject: 'bench', scopes: ['admin'], days: 1 }, jwtSecret);
  const auth = { authorization: `Bearer ${token}` };
  const fleet = await startSimulatedFleet(BMCS, { defaults: { username: 'ADMIN', password } });
  let stack;
  try {
    const names = fleet.bmcs.map((_, i) => `bench${String(i + 1).padStart(3, '0')}`);
    const inventory = path.join(dir, 'topology.yaml');
    writeFileSync(
      inventory,
      [
        'static_nodes:',
        ...fleet.bmcs.map(
          (b, i) =>
            `  ${names[i]}: { platform: ipmi, bmc: { host: ${b.host}, port: ${b.port}, username: ADMIN, password_env: BENCH_BMC_PASSWORD } }`,
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
    // The controller gives ipmitool a HOME whose vendor table has one entry (libs/drivers/src/ipmitool-home.ts):
    // ipmitool started that way is measured too, so the figures show the system's own overhead as well.
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
    }

    // (a) one condition, HTTP request to `succeeded` seen by the client, against one raw ipmitool.
    const raw = [];
    const light = [];
    const cond = [];
    for (let i = 0; i < SINGLE_RUNS; i++) {
      raw.push(await timed(() => rawStatus(first.host)));
      light.push(await timed(() => rawStatus(first.host, lightEnv)));
      cond.push(await timed(() => conditionRoundTrip(stack.apiUrl, names[0], auth)));
    }

    // (b) the whole fleet: mctl through the whole system, against xargs -P 64 ipmitool and ipmipower.
    const hostsFile = path.join(dir, 'hosts');
    writeFileSync(hostsFile, fleet.bmcs.map((b) => b.host).join('\n') + '\n');
    const ipmipowerConf = path.join(dir, 'freeipmi.conf');
    writeFileSync(ipmipowerConf, `username ADMIN\npassword ${password}\n`, { mode: 0o600 });
    const fleetRange = `bench[001-${String(BMCS).padStart(3, '0')}]`;
    const xargs = [];
    const xargsLight = [];
    const ipmipower = [];
    const mctlRuns = [];
    const xargsCommand = `xargs -P 64 -I{} ipmitool -I lanplus -H {} -p ${first.port} -U ADMIN -E -C 3 chassis power status < "${hostsFile}" > /dev/null`;
    for (let i = 0; i < FLEET_RUNS; i++) {
      xargs.push(await timed(() => shell(xargsCommand, ipmiEnv)));
      xargsLight.push(await timed(() => shell(xargsCommand, lightEnv)));
      ipmipower.push(
        await timed(() =>
          shell(
            `ipmipower --config-file="${ipmipowerConf}" -D LAN_2_0 -I 3 -W opensesspriv -h "$(paste -sd, "${hostsFile}")" --stat > /dev/null`,
          ),
        ),
      );
      mctlRuns.push(
        await timed(() =>
          run(process.execPath, [mctl, 'power', 'status', fleetRange], {
            env: { ...process.env, MCTL_URL: stack.apiUrl, MCTL_TOKEN: token },
          }),
        ),
      );
    }
    const controllerPid = stack.processes.find((p) => p.name === 'controller').pid();
    const controllerPeak = peakRssMb(controllerPid);

    const cpu = os.cpus();
    const machine = `${cpu.length} x ${cpu[0].model}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, Node ${process.version}`;
    const ratio = (a, b) => `${(median(a) / median(b)).toFixed(2)}x`;
    const rows = [
      [
        '(a) power status, one server',
        `raw ipmitool median ${fmt(median(raw))}, p95 ${fmt(p95(raw))}; ipmitool with the controller's HOME median ${fmt(median(light))}, p95 ${fmt(p95(light))}`,
        `condition median ${fmt(median(cond))}, p95 ${fmt(p95(cond))}`,
        `${ratio(cond, raw)} raw ipmitool (target <= 1.3x); ${ratio(cond, light)} ipmitool with the controller's HOME`,
      ],
      [
        `(b) power status, ${BMCS} servers`,
        `xargs -P 64 ipmitool median ${fmt(median(xargs))}; the same with the controller's HOME ${fmt(median(xargsLight))}; ipmipower median ${fmt(median(ipmipower))}`,
        `mctl median ${fmt(median(mctlRuns))}`,
        `${ratio(mctlRuns, xargs)} xargs (target <= 1.2x); ${ratio(mctlRuns, xargsLight)} xargs with the controller's HOME; ${(median(mctlRuns) / median(ipmipower)).toFixed(1)}x ipmipower`,
      ],
      ['controller peak memory (VmHWM)', '', `${controllerPeak.toFixed(0)} MiB`, ''],
    ];
    console.log(`Machine: ${machine}`);
    console.log(
      `Runs: (a) ${SINGLE_RUNS} interleaved, (b) ${FLEET_RUNS} each, ${BMCS} simulated BMCs (ipmi_sim)`,
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
          xargs,
          xargsLight,
          ipmipower,
          mctl: mctlRuns,
          controllerPeakMiB: controllerPeak,
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
