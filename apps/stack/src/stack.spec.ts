import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allocateLoopbackAddresses, runIpmitool } from '@switchboard/bmc-sim';
import { silentLogger } from '@switchboard/logging';
import { freePort } from '@switchboard/nats';
import { SANDBOX_PASSWORD_ENV, Stack, startStack } from './stack';

async function waitFor(url: string, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      if (res.ok) return res;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('the local stack in sandbox mode', () => {
  let dir: string;
  let stack: Stack;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sb-stack-'));
    const hosts = await allocateLoopbackAddresses(3);
    const inventory = join(dir, 'topology.yaml');
    writeFileSync(
      inventory,
      ['static_nodes:', ...hosts.map((h, i) => `  node0${i + 1}: { platform: ipmi, bmc: { host: ${h}, username: ADMIN, password_env: ${SANDBOX_PASSWORD_ENV} } }`)].join('\n') + '\n',
    );
    stack = await startStack({
      inventoryFile: inventory,
      dataDir: join(dir, 'data'),
      logger: silentLogger,
      natsPort: await freePort(),
      apiPort: await freePort(),
      sandbox: true,
    });
  });

  afterAll(async () => {
    await stack?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts one simulated BMC per IPMI server, each answering ipmitool over lanplus', async () => {
    expect(stack.bmcs?.bmcs.map((b) => b.name)).toEqual(['node01', 'node02', 'node03']);
    for (const bmc of stack.bmcs!.bmcs) {
      const r = await runIpmitool(bmc, ['chassis', 'power', 'status']);
      expect(r.stdout.trim()).toBe('Chassis Power is off');
    }
  });

  it('generates the sandbox BMC password once, into the data directory, readable only by its owner', async () => {
    const { statSync, readFileSync } = await import('node:fs');
    const file = join(dir, 'data', 'sandbox', 'bmc-password');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(stack.bmcs!.bmcs[0].password);
  });

  it('serves the API, live and ready once NATS is reachable', async () => {
    await waitFor(`${stack.apiUrl}/healthz`, 30_000);
    await waitFor(`${stack.apiUrl}/readyz`, 30_000);
  });

  it('hands the sandbox operator an admin token that the API accepts', async () => {
    const res = await fetch(`${stack.apiUrl}/api/v1/servers`, { headers: { authorization: `Bearer ${stack.token}` } });
    expect(res.status).toBe(200);
    const { statSync } = await import('node:fs');
    expect(statSync(stack.tokenFile!).mode & 0o777).toBe(0o600);
    expect((await fetch(`${stack.apiUrl}/api/v1/servers`)).status).toBe(401);
  });

  it('stops every process it started', async () => {
    const pids = stack.bmcs!.bmcs.map((b) => b.pid);
    await stack.stop();
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
    await expect(fetch(`${stack.apiUrl}/healthz`)).rejects.toThrow();
  });
});
