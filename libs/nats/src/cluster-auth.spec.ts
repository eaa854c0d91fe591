import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect } from '@nats-io/transport-node';
import { capturingLogger } from '@switchboard/logging';
import { connectWithRetry } from './connect';
import { NatsCredentials, ensureNatsCredentials } from './credentials';
import { EmbeddedCluster, startEmbeddedCluster } from './embedded-cluster';
import { freePort } from './free-port';
import { provision } from './provision';
import { clusterSize } from './replicas';

jest.setTimeout(120_000);

const routesOf = async (monitorPort: number): Promise<number> => {
  const res = await fetch(`http://127.0.0.1:${monitorPort}/routez`);
  return ((await res.json()) as { num_routes: number }).num_routes;
};

describe('a three-server NATS cluster with generated credentials (the local cluster)', () => {
  let dir: string;
  let credentials: NatsCredentials;
  let cluster: EmbeddedCluster;
  const log = capturingLogger();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-nats-cluster-auth-'));
    credentials = ensureNatsCredentials(join(dir, 'credentials'));
    cluster = await startEmbeddedCluster({
      size: 3,
      dataDir: dir,
      credentials,
      logger: log.logger,
    });
  });

  afterAll(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('routes with the route user: the members form one cluster and replicate', async () => {
    const nc = await connectWithRetry({
      servers: cluster.url,
      name: 'cluster-auth',
      auth: credentials.clientAuth('api'),
    });
    try {
      expect(clusterSize(nc)).toBe(3);
      const buckets = await provision(nc, { replicas: 3 });
      await buckets.conditions.put('c.replicated', 'yes');
      expect((await buckets.conditions.get('c.replicated'))?.string()).toBe('yes');
    } finally {
      await nc.close();
    }
    expect(log.events().filter((e) => e.event === 'nats.permission_violation')).toEqual([]);
  });

  it('keeps the route password out of the command line, in a 0600 configuration', () => {
    for (const m of cluster.members) {
      const file = join(credentials.dir, `${m.name}.conf`);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(readFileSync(file, 'utf8')).toContain(credentials.password('route'));
      const cmdline = readFileSync(`/proc/${m.pid()}/cmdline`, 'utf8');
      expect(cmdline).not.toContain(credentials.password('route'));
      expect(cmdline).not.toContain('--routes');
    }
  });

  it.each<[string, { user?: string; pass?: string }]>([
    ['no credentials', {}],
    ['a wrong password', { user: 'controller', pass: 'not-the-password' }],
  ])('refuses a client with %s on every member', async (_what, creds) => {
    for (const url of cluster.urls)
      await expect(connect({ servers: url, reconnect: false, ...creds })).rejects.toThrow(
        /Authorization Violation/,
      );
  });

  it('refuses a nats-server that dials a member route without the route password', async () => {
    const member = cluster.members[0];
    const before = await routesOf(member.monitorPort);
    const rogueDir = join(dir, 'rogue');
    const rogue = spawn(
      'nats-server',
      [
        ...['-a', '127.0.0.1', '-p', String(await freePort()), '-js', '-sd', rogueDir],
        ...['-n', 'rogue', '--cluster_name', 'switchboard'],
        ...['--cluster', `nats://127.0.0.1:${await freePort()}`],
        ...['--routes', `nats://127.0.0.1:${member.clusterPort}`],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let output = '';
    rogue.stderr.on('data', (d: Buffer) => (output += d.toString()));
    try {
      const deadline = Date.now() + 15_000;
      while (!/Authorization Violation/i.test(output) && Date.now() < deadline) await sleep(100);
      expect(output).toMatch(/Authorization Violation/i);
      expect(await routesOf(member.monitorPort)).toBe(before);
    } finally {
      rogue.kill('SIGKILL');
    }
  });
});
