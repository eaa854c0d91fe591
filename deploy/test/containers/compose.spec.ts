/**
 * The container test, for real: builds the local base image from Debian packages and the
 * Switchboard image on it (offline), brings docker-compose.yml up (3 NATS, 2 APIs, 2
 * controllers, the simulated BMCs), drives it with mctl through the published 127.0.0.1 ports,
 * kills one NATS server, one controller and one API during a 100-condition batch, checks that
 * every accepted condition ends final and the BMCs are as asked, and takes it all down.
 * Run by deploy/test/run-containers.sh, which starts and stops the private Docker engine
 * (DOCKER_HOST). The steps run in order; each needs the ones before it.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { repoPath } from '../support/repo';
import { TwoApis } from './chaos';
import { freePort, must, run, waitFor } from './docker';

const TAG = 'ci';
const BASE = `switchboard-base:${TAG}`;
const IMAGE = `switchboard:${TAG}`;
const SANDBOX_IMAGE = `switchboard-sandbox-bmcs:${TAG}`;
const SERVERS = Array.from({ length: 8 }, (_, i) => `node0${i + 1}`);

let ports: [number, number];
let env: NodeJS.ProcessEnv;
let token = '';
let failedStep: string | undefined;

const compose = (args: string[], timeoutMs = 300_000) =>
  must('docker-compose', ['--profile', 'sandbox', ...args], { env, timeoutMs });
const mctl = (api: number, args: string[]) =>
  run('node', [repoPath('apps/cli/dist/main.js'), ...args], {
    env: { MCTL_URL: `http://127.0.0.1:${api}`, MCTL_TOKEN: token, MCTL_CONFIG: '/dev/null' },
    timeoutMs: 120_000,
  });
const containerOf = async (service: string) =>
  (await compose(['ps', '-q', service])).trim() || undefined;
/** What the simulated machine's power is, from its state file in the BMCs' container. */
const bmcPower = async (server: string) => {
  const file = `/var/lib/switchboard/data/bmc-sim/${server}/power`;
  const bit = await compose(['exec', '-T', 'sandbox-bmcs', 'sh', '-c', `cat ${file} || echo 0`]);
  return bit.trim() === '1' ? 'on' : 'off';
};

/** Each step: skipped loudly (failed) when an earlier one failed, since it builds on it. */
function step(name: string, fn: () => Promise<void>, timeoutMs: number) {
  it(
    name,
    async () => {
      if (failedStep) throw new Error(`not run: the step "${failedStep}" failed`);
      try {
        await fn();
      } catch (err) {
        failedStep = name;
        throw err;
      }
    },
    timeoutMs,
  );
}

beforeAll(async () => {
  if (!process.env.DOCKER_HOST) throw new Error('DOCKER_HOST is not set: run run-containers.sh');
  ports = [await freePort(), await freePort()];
  env = {
    COMPOSE_PROJECT_NAME: `sbci${process.pid}`,
    SWITCHBOARD_IMAGE: IMAGE,
    SWITCHBOARD_SANDBOX_IMAGE: SANDBOX_IMAGE,
    // Our base carries Debian's nats-server: the NATS containers run it, no registry needed.
    NATS_IMAGE: BASE,
    SWITCHBOARD_API_PORT: String(ports[0]),
    SWITCHBOARD_API2_PORT: String(ports[1]),
  };
});

afterAll(async () => {
  // Whatever happened: no container, network or volume of the project stays.
  if (env) await run('docker-compose', ['--profile', 'sandbox', 'down', '-v', '-t', '5'], { env });
});

describe('the image', () => {
  step(
    'builds a local base image from Debian packages, with Node 20 and no registry',
    async () => {
      await must('bash', [repoPath('deploy/local-base-image.sh'), '--tag', BASE], {
        timeoutMs: 600_000,
      });
      const node = await must('docker', ['run', '--rm', '--network', 'none', BASE, 'node', '-v']);
      expect(node.trim()).toMatch(/^v20\./);
    },
    11 * 60_000,
  );

  step(
    'builds on it with npm ci and the build inside the build stage, offline',
    async () => {
      await must('bash', [repoPath('deploy/test/build-images.sh'), BASE, IMAGE, SANDBOX_IMAGE], {
        timeoutMs: 900_000,
      });
      const size = Number(await must('docker', ['image', 'inspect', '-f', '{{.Size}}', IMAGE]));
      const baseSize = Number(await must('docker', ['image', 'inspect', '-f', '{{.Size}}', BASE]));
      console.log(
        `image ${IMAGE}: ${(size / 1e6).toFixed(0)} MB (base ${(baseSize / 1e6).toFixed(0)} MB, ` +
          `Switchboard's layers ${((size - baseSize) / 1e6).toFixed(0)} MB)`,
      );
    },
    16 * 60_000,
  );

  step(
    'runs as a non-root user behind tini, with production dependencies only and no secret',
    async () => {
      const config = JSON.parse(
        await must('docker', ['image', 'inspect', '-f', '{{json .Config}}', IMAGE]),
      ) as { User: string; Entrypoint: string[]; Cmd: string[] };
      expect(config.User).toBe('10001:10001');
      expect(config.Entrypoint).toEqual(['/usr/bin/tini', '--', '/usr/local/bin/switchboard']);
      expect(config.Cmd).toEqual(['conditions-api']);
      const inside = (cmd: string) =>
        must('docker', ['run', '--rm', '--network', 'none', IMAGE, 'sh', '-c', cmd]);
      expect((await inside('id -u; command -v ipmitool')).split('\n')).toEqual([
        '10001',
        '/usr/bin/ipmitool',
        '',
      ]);
      // Dev tools are gone after npm prune; nothing of the host's state or secrets is in.
      expect(
        await inside(
          'for p in node_modules/typescript node_modules/jest node_modules/nx .data .git; do ' +
            '[ -e /app/$p ] && echo "$p"; done; ls /var/lib/switchboard/secrets; true',
        ),
      ).toBe('');
      const version = await must('docker', [
        'run',
        '--rm',
        '--network',
        'none',
        IMAGE,
        'mctl',
        '--version',
      ]);
      expect(version.trim()).toBe(
        (JSON.parse(readFileSync(repoPath('apps/cli/package.json'), 'utf8')) as { version: string })
          .version,
      );
    },
    120_000,
  );
});

describe('docker-compose.yml', () => {
  step(
    'comes up: 3 NATS servers, 2 APIs and 2 controllers healthy, the simulated BMCs running',
    async () => {
      await compose(['up', '-d', '--no-build']);
      for (const service of ['api-1', 'api-2', 'controller-1', 'controller-2']) {
        const id = (await containerOf(service))!;
        await waitFor(
          `${service} healthy`,
          async () => {
            const health = (
              await must('docker', ['inspect', '-f', '{{.State.Health.Status}}', id])
            ).trim();
            return health === 'healthy' ? true : undefined;
          },
          240_000,
          2000,
        );
      }
      const running = (await compose(['ps', '--services', '--filter', 'status=running']))
        .trim()
        .split('\n')
        .sort();
      expect(running).toEqual([
        'api-1',
        'api-2',
        'controller-1',
        'controller-2',
        'nats-1',
        'nats-2',
        'nats-3',
        'sandbox-bmcs',
      ]);
    },
    360_000,
  );

  step(
    'gives no container a way off this machine',
    async () => {
      // The engine forwards nothing (run-containers.sh): with IPv4 forwarding off here, a
      // packet a container sends reaches another container or this host, and stops there.
      expect(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim()).toBe('0');
      // So every route of every container must lead to this host: its gateways are
      // addresses of this host's own interfaces (the bridges), never another machine.
      const local = new Set(
        Object.values(networkInterfaces())
          .flat()
          .map((a) => a?.address),
      );
      const running = [
        'ps',
        '-q',
        '--filter',
        `label=com.docker.compose.project=${env.COMPOSE_PROJECT_NAME}`,
      ];
      const ids = (await must('docker', running)).trim().split('\n');
      expect(ids.length).toBeGreaterThanOrEqual(8);
      for (const id of ids) {
        const table = await must('docker', ['exec', id, 'cat', '/proc/net/route']);
        const gateways = table
          .split('\n')
          .slice(1)
          .map((line) => line.split(/\s+/)[2])
          .filter((hex) => hex && hex !== '00000000')
          .map((hex) =>
            (hex.match(/../g) ?? [])
              .reverse()
              .map((b) => parseInt(b, 16))
              .join('.'),
          );
        for (const gateway of gateways)
          expect({ id, gateway, local: local.has(gateway) }).toEqual({ id, gateway, local: true });
      }
    },
    60_000,
  );

  step(
    'runs NATS with a user per role: no client without credentials, each container holding ' +
      'only its own password (0600)',
    async () => {
      // A client as a process in that container would connect: with no credentials, a wrong
      // password, or its own role's password file.
      const script = [
        "const { connect } = require('@nats-io/transport-node');",
        'const [user, file] = process.argv.slice(1);',
        "const pass = file ? require('node:fs').readFileSync(file, 'utf8').trim() : 'guessed';",
        "connect({ servers: 'nats://nats-2:4222', reconnect: false, ...(user ? { user, pass } : {}) })",
        "  .then((nc) => { process.stdout.write('connected'); return nc.close(); },",
        '    (e) => process.stdout.write(e.message));',
      ].join('\n');
      const attempt = (service: string, ...args: string[]) =>
        compose(['exec', '-T', service, 'node', '-e', script, ...args]);
      expect(await attempt('api-1')).toBe('Authorization Violation');
      expect(await attempt('api-1', 'api')).toBe('Authorization Violation');
      expect(await attempt('api-1', 'api', '/var/lib/switchboard/nats-api/password')).toBe(
        'connected',
      );
      expect(
        await attempt(
          'controller-1',
          'controller',
          '/var/lib/switchboard/nats-controller/password',
        ),
      ).toBe('connected');
      const files = (service: string) =>
        compose([
          'exec',
          '-T',
          service,
          'sh',
          '-c',
          'cd /var/lib/switchboard && for f in nats-*/*; do [ -e "$f" ] && stat -c "%n %a" "$f"; ' +
            'done; true',
        ]);
      expect((await files('api-1')).trim()).toBe('nats-api/password 600');
      expect((await files('controller-1')).trim()).toBe('nats-controller/password 600');
    },
    120_000,
  );

  step(
    'answers mctl on the published port: power on, off and status, a shell platform, an action',
    async () => {
      token = (
        await compose([
          'exec',
          '-T',
          'api-1',
          'conditions-api',
          'generate-token',
          '--subject',
          'ci',
          '--scope',
          'read,write,admin',
          '--days',
          '1',
        ])
      ).trim();
      const ok = async (api: number, args: string[]) => {
        const r = await mctl(api, args);
        expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
        return r.stdout;
      };
      expect(await ok(ports[0], ['power', 'on', 'node[01-04]'])).toContain('on: node[01-04]');
      expect(await ok(ports[0], ['power', 'off', 'node02'])).toContain('off: node02');
      const status = await ok(ports[1], ['power', 'status', '-g', 'rack1']);
      expect(status).toContain('on: node[01,03-04]');
      expect(status).toContain('off: node02');
      // The simulated machines themselves, in their own container.
      expect(await Promise.all(['node01', 'node02', 'node03'].map(bmcPower))).toEqual([
        'on',
        'off',
        'on',
      ]);
      expect(await ok(ports[0], ['power', 'on', 'lab01'])).toContain('on: lab01');
      expect(await ok(ports[1], ['power', 'status', 'lab01'])).toContain('on: lab01');
      const usage = await ok(ports[0], ['run', 'usage', 'node[01-03]', '--yes']);
      for (const n of ['node01', 'node02', 'node03'])
        expect(usage).toContain(`node ${n}: simulated`);
    },
    300_000,
  );
});

describe('docker-compose.yml under failures', () => {
  /** The NATS server leading the conditions stream (else the meta leader), by its monitor. */
  async function streamLeader(): Promise<string> {
    const script = [
      "fetch('http://127.0.0.1:8222/jsz?accounts=true&streams=true')",
      '.then((r) => r.json()).then((j) => {',
      '  const streams = (j.account_details ?? []).flatMap((a) => a.stream_detail ?? []);',
      "  const s = streams.find((d) => d.name === 'SWITCHBOARD_CONDITIONS');",
      "  process.stdout.write(String(s?.cluster?.leader ?? j.meta_cluster?.leader ?? ''));",
      '})',
    ].join('');
    const r = await run(
      'docker-compose',
      ['--profile', 'sandbox', 'exec', '-T', 'nats-1', 'node', '-e', script],
      { env },
    );
    // The servers are named as their services (--name in docker-compose.yml).
    if (!/^nats-[123]$/.test(r.stdout.trim()))
      throw new Error(`no stream leader from nats-1's monitor: ${r.stdout} ${r.stderr}`);
    return r.stdout.trim();
  }

  step(
    'loses nothing when one NATS server, one controller and one API are killed during a ' +
      '100-condition batch',
    async () => {
      const apis = new TwoApis(ports, token);
      const kills: Record<number, () => Promise<string>> = {
        2: async () => streamLeader(),
        5: async () => 'controller-1',
        8: async () => 'api-1',
      };
      const accepted: { server: string; id: string; power: 'on' | 'off' }[] = [];
      const killed: { service: string; at: number }[] = [];
      const started = Date.now();
      // Waves over node[01-08], alternating off and on, each waited for before the next (a
      // server takes one condition at a time), until 100 are accepted; bounded at 30 waves.
      for (let w = 0; accepted.length < 100 && w < 30; w++) {
        const count = Math.min(SERVERS.length, 100 - accepted.length);
        const power = w % 2 === 0 ? 'off' : 'on';
        const ids = await apis.batch(`node[01-0${count}]`, power);
        for (const [server, id] of ids) accepted.push({ server, id, power });
        if (kills[w]) {
          const service = await kills[w]();
          await must('docker', ['kill', (await containerOf(service))!]);
          killed.push({ service, at: Date.now() - started });
        }
        // The wave before's killed container comes back (restart policy or by hand).
        if (kills[w - 1]) {
          const service = killed[killed.length - 1].service;
          await run('docker', ['start', (await containerOf(service))!]);
        }
        await apis.waitFinal([...ids.values()], Date.now() + 180_000);
      }
      const final = await apis.waitFinal(
        accepted.map((a) => a.id),
        Date.now() + 60_000,
      );
      const states = [...final.values()].reduce<Record<string, number>>((acc, c) => {
        acc[c.state] = (acc[c.state] ?? 0) + 1;
        return acc;
      }, {});
      console.log(
        `chaos: ${accepted.length} accepted, final ${JSON.stringify(states)}, killed ` +
          `${killed.map((k) => `${k.service}@${(k.at / 1000).toFixed(1)}s`).join(', ')}, ` +
          `API switches ${apis.switches}, ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
      expect(accepted.length).toBe(100);
      expect(final.size).toBe(100);
      // Each machine is as its last condition asked, and that condition says it succeeded.
      for (const server of SERVERS) {
        const last = accepted.filter((a) => a.server === server).pop()!;
        expect({ server, state: final.get(last.id)?.state, power: await bmcPower(server) }).toEqual(
          { server, state: 'succeeded', power: last.power },
        );
      }
    },
    12 * 60_000,
  );

  step(
    'stops a controller gracefully: SIGTERM reaches Node through tini, which exits 0',
    async () => {
      const id = (await containerOf('controller-2'))!;
      const t0 = Date.now();
      await compose(['stop', '-t', '40', 'controller-2']);
      expect(Date.now() - t0).toBeLessThan(40_000);
      expect((await must('docker', ['inspect', '-f', '{{.State.ExitCode}}', id])).trim()).toBe('0');
    },
    120_000,
  );

  step(
    'goes away with docker-compose down -v: no container, network or volume left',
    async () => {
      await compose(['down', '-v', '-t', '10']);
      const label = `label=com.docker.compose.project=${env.COMPOSE_PROJECT_NAME}`;
      for (const kind of ['ps -a', 'network ls', 'volume ls'])
        expect(await must('docker', [...kind.split(' '), '-q', '--filter', label])).toBe('');
    },
    180_000,
  );
});
