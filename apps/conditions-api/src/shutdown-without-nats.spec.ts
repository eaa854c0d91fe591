/**
 * SIGTERM to the API process (dist/main.js) while NATS is gone for good and a create is still in
 * progress (held before its publish by the fault switch, so it never answers): the API stops
 * within a bounded time, exits 0 without its forced exit, and says it stopped without NATS.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { EmbeddedNats, startEmbeddedNats } from '@switchboard/nats';
import { CLOSE_GRACE_MS } from './http/shutdown';
import { ApiProcess, buildApi, startApiProcess } from './testing/api-process';
import { bearer, inventoryYaml, signToken, waitFor } from './testing/harness';

describe('SIGTERM while NATS is gone', () => {
  let dir: string;
  let nats: EmbeddedNats;
  let api: ApiProcess | undefined;

  beforeAll(() => buildApi());

  afterEach(async () => {
    api?.child.kill('SIGKILL');
    await nats?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stops within a bounded time, exit 0, with a create left hanging', async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-api-no-nats-'));
    writeFileSync(join(dir, 'topology.yaml'), inventoryYaml());
    nats = await startEmbeddedNats({ dataDir: join(dir, 'js') });
    api = await startApiProcess({
      NATS_URL: nats.url,
      INVENTORY_FILE: join(dir, 'topology.yaml'),
      SWITCHBOARD_FAULT_HOLD_BEFORE_PUBLISH: '1',
    });
    const { url, logged, exited, child } = api;

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
