/**
 * A create of a `concurrent: true` action cut off before its publish (the API process held there
 * by its fault switch, then killed with SIGKILL) while other actions of the same command are
 * queued on the same server: the sweeper of the API still alive fails it "never queued" within
 * seconds, as it does an exclusive one, and leaves the queued ones alone. (It used to take
 * several messages on the server's subject for a sign that the cut-off one might be among them,
 * and left it pending for good.)
 */
import { resolve } from 'node:path';
import { ServerConditionsResponse, isFinal } from '@switchboard/condition-types';
import { CUT_OFF_CREATE_MS } from '@switchboard/condition-store';
import { ApiProcess, buildApi, startApiProcess } from './testing/api-process';
import { Harness, bearer, startHarness, waitFor } from './testing/harness';

/** The examples' `usage` command is `concurrent: true`. */
const COMMANDS_DIR = resolve(__dirname, '..', '..', '..', 'examples', 'commands');

describe('a concurrent action cut off before its publish', () => {
  let h: Harness;
  let held: ApiProcess | undefined;

  beforeAll(async () => {
    buildApi();
    h = await startHarness({ commandsDir: COMMANDS_DIR });
  });

  afterAll(async () => {
    held?.child.kill('SIGKILL');
    await h?.close();
  });

  const usage = (url: string) =>
    fetch(`${url}/api/v1/servers/node05/condition/action`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...bearer(h.token()) },
      body: JSON.stringify({ parameters: { command: 'usage' } }),
    });

  it('ends failed "never queued"; the queued ones beside it stay queued', async () => {
    // Queued and not yet worked on (no controller here): their messages stay in the stream.
    const queued: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await usage(h.baseUrl);
      expect(res.status).toBe(200);
      queued.push(ServerConditionsResponse.parse(await res.json()).records.conditions[0].id);
    }

    held = await startApiProcess({
      NATS_URL: h.nats.url,
      INVENTORY_FILE: h.inventoryFile,
      COMMANDS_DIR,
      SWITCHBOARD_FAULT_HOLD_BEFORE_PUBLISH: '1',
    });
    void usage(held.url).catch(() => undefined);
    await waitFor(async () => held!.logged('fault.holding'), 10_000, 'the create to be held');
    const cutOffId = String(held.events().find((e) => e.event === 'fault.holding')?.conditionId);
    held.child.kill('SIGKILL');
    await held.exited;
    const killedAt = Date.now();
    expect(await h.store.get(cutOffId)).toMatchObject({ state: 'pending', target: 'node05' });

    // The sweeper fails a create whose mark is older than CUT_OFF_CREATE_MS; it runs every 2 s.
    await waitFor(
      async () => isFinal((await h.store.get(cutOffId))?.state ?? 'pending'),
      CUT_OFF_CREATE_MS + 20_000,
      'the cut-off create to be swept',
    );
    expect(await h.store.get(cutOffId)).toMatchObject({
      state: 'failed',
      error: expect.stringMatching(/^never queued: /),
    });
    console.log(
      `cut-off concurrent action: "never queued" ${Date.now() - killedAt} ms after the kill`,
    );
    for (const id of queued) expect(await h.store.get(id)).toMatchObject({ state: 'pending' });
  }, 90_000);
});
