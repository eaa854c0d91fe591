#!/usr/bin/env node
// `npm run bench`, second part: Switchboard with replicas. On the same simulated BMCs:
// conditions accepted per second by one API against two, completed per second by one
// controller against three, and what a replicated (R3) JetStream publish and KV put cost
// against a single nats-server (R1). Every loop is bounded in count; the run stops by itself.
// On a 2-core machine the APIs, controllers, three nats-servers and the BMCs share two cores:
// the figures show contention more than scale.
const { mkdtempSync, rmSync, writeFileSync, mkdirSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { jetstream } = require('@nats-io/jetstream');
const { startSimulatedFleet } = require('@switchboard/bmc-sim');
const { startStack } = require('@switchboard/stack');
const {
  freePort,
  startEmbeddedNats,
  startEmbeddedCluster,
  connectWithRetry,
  provision,
} = require('@switchboard/nats');
const { silentLogger } = require('@switchboard/logging');
const { benchSecrets, waitReady, writeBenchInventory } = require('./common');

const BMCS = Number(process.env.BENCH_BMCS ?? 100);
const ROUNDS = Number(process.env.BENCH_CLUSTER_ROUNDS ?? 5);
const PUBLISHES = Number(process.env.BENCH_PUBLISHES ?? 2000);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

/**
 * Creates one status condition per server, all at once, spread over `apis`; ms until all accepted,
 * and the ids.
 */
async function acceptAll(apis, names, auth) {
  const t0 = performance.now();
  const ids = await Promise.all(
    names.map(async (name, i) => {
      const res = await fetch(
        `${apis[i % apis.length]}/api/v1/servers/${name}/condition/serverControl`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...auth },
          body: JSON.stringify({ parameters: { action: 'get_power_state' } }),
        },
      );
      if (res.status !== 200) throw new Error(`POST ${name}: ${res.status} ${await res.text()}`);
      return (await res.json()).records.conditions[0].id;
    }),
  );
  return { ms: performance.now() - t0, ids, t0 };
}

/** Waits on the outcomes stream until every id is final; ms since t0. */
async function allFinal(api, ids, auth, t0) {
  const pending = new Set(ids);
  for (let round = 0; round < 20 && pending.size > 0; round++) {
    const res = await fetch(`${api}/api/v1/outcomes?ids=${[...pending].join(',')}&wait=30000`, {
      headers: auth,
    });
    for (const line of (await res.text()).split('\n').filter(Boolean)) {
      const { id, condition } = JSON.parse(line);
      if (condition && (condition.state === 'succeeded' || condition.state === 'failed'))
        pending.delete(id);
    }
  }
  if (pending.size > 0) throw new Error(`${pending.size} conditions not final`);
  return performance.now() - t0;
}

async function publishCost(servers, replicas, label) {
  const nc = await connectWithRetry({ servers, name: `bench-${label}` });
  try {
    const buckets = await provision(nc, { replicas });
    const js = jetstream(nc);
    const subject = 'switchboard.output.bench';
    const pub = [];
    const put = [];
    for (let i = 0; i < PUBLISHES; i++) {
      let t = performance.now();
      await js.publish(subject, 'x'.repeat(200));
      pub.push(performance.now() - t);
      t = performance.now();
      await buckets.conditions.put(`bench.${i % 100}`, 'y'.repeat(600));
      put.push(performance.now() - t);
    }
    return { pub: median(pub), put: median(put) };
  } finally {
    await nc.close();
  }
}

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sb-bench-cluster-'));
  const { password, jwtSecret, auth } = benchSecrets();
  const results = {};
  // (e) a replicated publish against a single server's, alone on the machine.
  {
    const single = await startEmbeddedNats({ dataDir: path.join(dir, 'single') });
    try {
      results.single = await publishCost(single.url, 1, 'single');
    } finally {
      await single.stop();
    }
    const cluster = await startEmbeddedCluster({ size: 3, dataDir: path.join(dir, 'cluster') });
    try {
      results.cluster = await publishCost(cluster.url, 3, 'cluster');
    } finally {
      await cluster.stop();
    }
  }

  const fleet = await startSimulatedFleet(BMCS, { defaults: { username: 'ADMIN', password } });
  let stack;
  try {
    const inventory = path.join(dir, 'topology.yaml');
    const names = writeBenchInventory(inventory, fleet);
    stack = await startStack({
      inventoryFile: inventory,
      dataDir: path.join(dir, 'data'),
      logger: silentLogger,
      logDir: path.join(dir, 'logs'),
      natsCluster: 3,
      natsPort: await freePort(),
      natsClusterPort: await freePort(),
      natsMonitorPort: await freePort(),
      apiPort: await freePort(),
      apis: 2,
      controllers: 3,
      env: {
        BENCH_BMC_PASSWORD: password,
        JWT_SECRET: jwtSecret,
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PER_MINUTE: '1000000',
      },
    });
    for (const url of stack.apiUrls) await waitReady(url, 60_000);
    const round = async (apis) => {
      const { ms, ids, t0 } = await acceptAll(apis, names, auth);
      const doneMs = await allFinal(stack.apiUrls[0], ids, auth, t0);
      return { accepted: (names.length / ms) * 1000, completed: (names.length / doneMs) * 1000 };
    };
    await round(stack.apiUrls); // warm-up
    const oneApi = [];
    const twoApis = [];
    const threeCtl = [];
    for (let i = 0; i < ROUNDS; i++) {
      const a = await round(stack.apiUrls.slice(0, 1));
      const b = await round(stack.apiUrls);
      oneApi.push(a.accepted);
      twoApis.push(b.accepted);
      threeCtl.push(a.completed, b.completed);
    }
    // One controller: the two others stop (drain) and the same rounds run again.
    await Promise.all(stack.controllers.slice(1).map((c) => c.stop()));
    await round(stack.apiUrls);
    const oneCtl = [];
    for (let i = 0; i < ROUNDS; i++) oneCtl.push((await round(stack.apiUrls)).completed);
    Object.assign(results, {
      oneApi: median(oneApi),
      twoApis: median(twoApis),
      oneCtl: median(oneCtl),
      threeCtl: median(threeCtl),
    });
  } finally {
    await stack?.stop();
    await fleet.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const r = results;
  const x = (a, b) => `${(a / b).toFixed(2)}x`;
  const cpu = os.cpus();
  console.log(
    `\nWith replicas (${cpu.length} x ${cpu[0].model}; ${BMCS} simulated BMCs; medians ` +
      `of ${ROUNDS} rounds of ${BMCS} get_power_state conditions, one per server, all at ` +
      `once; 3 nats-servers, R3):`,
  );
  console.log(
    `(c) accepted by one API: ${r.oneApi.toFixed(0)} conditions/s; by two: ` +
      `${r.twoApis.toFixed(0)} conditions/s (${x(r.twoApis, r.oneApi)})`,
  );
  console.log(
    `(d) completed by one controller: ${r.oneCtl.toFixed(0)} conditions/s; by three: ` +
      `${r.threeCtl.toFixed(0)} conditions/s (${x(r.threeCtl, r.oneCtl)})`,
  );
  console.log(
    `(e) awaited JetStream publish: single nats-server (R1) ` +
      `${(r.single.pub * 1000).toFixed(0)} µs, three-server cluster (R3) ` +
      `${(r.cluster.pub * 1000).toFixed(0)} µs (${x(r.cluster.pub, r.single.pub)}); KV put ` +
      `${(r.single.put * 1000).toFixed(0)} µs vs ${(r.cluster.put * 1000).toFixed(0)} µs ` +
      `(${x(r.cluster.put, r.single.put)}); medians of ${PUBLISHES}`,
  );
  console.log(
    'On 2 cores every process of (c) and (d) competes for the same CPU: the figures show ' +
      'contention more than scale; on separate hosts each replica brings its own cores.',
  );
  mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  writeFileSync(path.join(__dirname, 'results', 'cluster-latest.json'), JSON.stringify(r, null, 2));
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(`bench (cluster): ${err.stack ?? err}`);
    process.exit(1);
  },
);
