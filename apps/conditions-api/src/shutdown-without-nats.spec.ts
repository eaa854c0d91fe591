/**
 * SIGTERM to the API process (dist/main.js) while NATS is gone for good and a create is still in
 * progress (held before its publish by the fault switch, so it never answers): the API stops
 * within a bounded time, exits 0 without its forced exit, and says it stopped without NATS.
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EmbeddedNats, freePort, startEmbeddedNats } from '@switchboard/nats';
import { CLOSE_GRACE_MS } from './http/shutdown';
import { JWT_SECRET, bearer, inventoryYaml, signToken, waitFor } from './testing/harness';

const API_DIR = resolve(__dirname, '..');

describe('SIGTERM while NATS is gone', () => {
  let dir: string;
  let nats: EmbeddedNats;
  let api: ChildProcess | undefined;

  beforeAll(() => {
    // The process runs the current code.
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-b'], {
      cwd: API_DIR,
      stdio: 'pipe',
    });
  });

  afterEach(async () => {
    api?.kill('SIGKILL');
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops within a bounded time, exit 0, with a create left hanging', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-api-no-nats-'));
    writeFileSync(join(dir, 'topology.yaml'), inventoryYaml());
    nats = await startEmbeddedNats({ dataDir: join(dir, 'js') });
    const port = await freePort();
    let output = '';
    const child = spawn(process.execPath, [join(API_DIR, 'dist', 'main.js')], {
      env: {
        PATH: process.env.PATH,
        NATS_URL: nats.url,
        INVENTORY_FILE: join(dir, 'topology.yaml'),
        JWT_SECRET,
        PORT: String(port),
        HOST: '127.0.0.1',
        SWITCHBOARD_FAULT_HOLD_BEFORE_PUBLISH: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    api = child;
    child.stdout!.on('data', (d) => (output += String(d)));
    child.stderr!.on('data', (d) => (output += String(d)));
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const events = () =>
      output
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { event?: string });
    const logged = (event: string) => events().some((e) => e.event === event);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      () =>
        fetch(`${url}/readyz`).then(
          (r) => r.ok,
          () => false,
        ),
      30_000,
      'the API to get ready',
    );

    const create = fetch(`${url}/api/v1/servers/node01/condition/serverControl`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(signToken()) },
      body: JSON.stringify({ parameters: { action: 'get_power_state' } }),
    }).then(
      (res) => res.status,
      (err: Error) => err.message,
    );
    await waitFor(async () => logged('fault.holding'), 10_000, 'the create to be held');
    nats.kill();
    await waitFor(async () => logged('nats.disconnected'), 10_000, 'the API to lose NATS');
    await sleep(200);

    const signalledAt = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    const took = Date.now() - signalledAt;
    // The answers in progress get CLOSE_GRACE_MS, then NATS's close is bounded at 2 s; the
    // forced exit (10 s, exit 1) must not be what ends it.
    expect(took).toBeLessThan(CLOSE_GRACE_MS + 5000);
    expect(logged('shutdown.timeout')).toBe(false);
    expect(logged('nats.unreachable_at_shutdown')).toBe(true);
    expect(logged('shutdown.done')).toBe(true);
    // The create's client learns nothing was confirmed: its connection was closed.
    expect(await create).toEqual(expect.any(String));
  }, 90_000);
});
