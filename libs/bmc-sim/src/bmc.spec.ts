import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { runIpmitool, SimulatedBmc, startSimulatedBmc } from './index';
import type { BmcSpec } from './types';

// Real ipmi_sim processes, real ipmitool over RMCP+ on loopback; nothing is mocked.

const started: SimulatedBmc[] = [];
let counter = 0;

async function start(spec: Omit<BmcSpec, 'name'> = {}): Promise<SimulatedBmc> {
  const bmc = await startSimulatedBmc({ name: `spec-${++counter}`, ...spec });
  started.push(bmc);
  return bmc;
}

async function ipmitool(bmc: SimulatedBmc, ...command: string[]): Promise<string> {
  const result = await runIpmitool(bmc, command);
  if (result.code !== 0)
    throw new Error(`ipmitool ${command.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<number> {
  const t0 = Date.now();
  while (!condition()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - t0;
}

afterAll(async () => {
  await Promise.all(started.map((bmc) => bmc.stop()));
});

describe('a simulated BMC', () => {
  it(
    'answers `ipmitool -I lanplus -C 3 ... chassis power status` with "Chassis Power is ' + 'off"',
    async () => {
      const bmc = await start();
      expect(bmc.host).toMatch(/^127\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.\d+\.\d+$/);
      expect(bmc.port).toBe(623);
      expect(await ipmitool(bmc, 'chassis', 'power', 'status')).toContain('Chassis Power is off');
      expect(bmc.power()).toBe('off');
    },
  );

  it('turns on with `chassis power on`: status reads on and the state file says on', async () => {
    const bmc = await start();
    expect(await ipmitool(bmc, 'chassis', 'power', 'on')).toContain('Up/On');
    expect(await ipmitool(bmc, 'chassis', 'power', 'status')).toContain('Chassis Power is on');
    expect(fs.readFileSync(path.join(bmc.stateDir, 'power'), 'utf8').trim()).toBe('1');
    expect(bmc.power()).toBe('on');
    expect(bmc.counters()).toMatchObject({ powerOn: 1, powerOff: 0 });
    expect(bmc.events()).toEqual([{ ts: expect.any(Number), action: 'power', value: '1' }]);
  });

  it(
    'starts powered on when asked to, and the harness can flip power by hand without an ' + 'event',
    async () => {
      const bmc = await start({ initialPower: 'on' });
      expect(await ipmitool(bmc, 'chassis', 'power', 'status')).toContain('Chassis Power is on');
      bmc.setPower('off');
      expect(await ipmitool(bmc, 'chassis', 'power', 'status')).toContain('Chassis Power is off');
      expect(bmc.events()).toEqual([]);
    },
  );

  it(
    'keeps the boot device: `chassis bootdev pxe` then `chassis bootparam get 5` reads ' +
      'Force PXE',
    async () => {
      const bmc = await start();
      expect(bmc.bootDevice()).toBe('none');
      await ipmitool(bmc, 'chassis', 'bootdev', 'pxe');
      expect(await ipmitool(bmc, 'chassis', 'bootparam', 'get', '5')).toContain('Force PXE');
      expect(bmc.bootDevice()).toBe('pxe');
      expect(bmc.events().map((e) => [e.action, e.value])).toEqual([['boot', 'pxe']]);
    },
  );

  it(
    'records a power cycle, a reset and a soft-off in its events and counts what really ' +
      'happened',
    async () => {
      const bmc = await start({ initialPower: 'on' });
      const before = Date.now();
      await ipmitool(bmc, 'chassis', 'power', 'cycle');
      // ipmi_sim powers off at once and on again about a second later.
      await waitFor(() => bmc.counters().powerOn === 1, 5000);
      expect(bmc.power()).toBe('on');
      await ipmitool(bmc, 'chassis', 'power', 'reset');
      await ipmitool(bmc, 'chassis', 'power', 'soft');
      expect(await ipmitool(bmc, 'chassis', 'power', 'status')).toContain('Chassis Power is off');

      const events = bmc.events();
      expect(events.map((e) => `${e.action} ${e.value}`)).toEqual([
        'power 0',
        'power 1',
        'reset 1',
        'shutdown 1',
      ]);
      for (const e of events) expect(e.ts).toBeGreaterThanOrEqual(before - 1000);
      expect(events[1].ts - events[0].ts).toBeGreaterThanOrEqual(900);
      expect(bmc.counters()).toEqual({ powerOn: 1, powerOff: 2, resets: 1, softOffs: 1 });
    },
  );

  it('does not count a reset of a machine that is off (but still logs it)', async () => {
    const bmc = await start();
    await ipmitool(bmc, 'chassis', 'power', 'reset');
    expect(bmc.events().map((e) => e.action)).toEqual(['reset']);
    expect(bmc.counters().resets).toBe(0);
  });

  it('when stuck, acknowledges `chassis power on` but stays off', async () => {
    const bmc = await start({ behaviour: 'stuck' });
    expect(await ipmitool(bmc, 'chassis', 'power', 'on')).toContain('Up/On');
    expect(await ipmitool(bmc, 'chassis', 'power', 'status')).toContain('Chassis Power is off');
    expect(bmc.power()).toBe('off');
    expect(bmc.events().map((e) => `${e.action} ${e.value}`)).toEqual(['power 1']);
    expect(bmc.counters()).toEqual({ powerOn: 0, powerOff: 0, resets: 0, softOffs: 0 });
  });

  it('can become stuck while running', async () => {
    const bmc = await start();
    bmc.setBehaviour('stuck');
    await ipmitool(bmc, 'chassis', 'bootdev', 'pxe');
    expect(bmc.bootDevice()).toBe('none');
  });

  it('when slow, makes a power change visible only after its delay', async () => {
    const bmc = await start({ behaviour: 'slow', powerDelayMs: 800 });
    const sent = Date.now();
    expect(await ipmitool(bmc, 'chassis', 'power', 'on')).toContain('Up/On');
    expect(await ipmitool(bmc, 'chassis', 'power', 'status')).toContain('Chassis Power is off');
    expect(bmc.power()).toBe('off');
    await waitFor(() => bmc.power() === 'on', 3000);
    expect(Date.now() - sent).toBeGreaterThanOrEqual(800);
    expect(await ipmitool(bmc, 'chassis', 'power', 'status')).toContain('Chassis Power is on');
    expect(bmc.counters().powerOn).toBe(1);
  });

  it('refuses a wrong password (ipmitool exits non-zero and nothing happens)', async () => {
    const bmc = await start({ username: 'operator1', password: 'S3cret-pw' });
    const wrong = await runIpmitool({ ...bmc, password: 'not-the-password' }, [
      'chassis',
      'power',
      'on',
    ]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/RMCP\+ session|password|auth/i);
    expect(bmc.events()).toEqual([]);
    expect(await ipmitool(bmc, 'chassis', 'power', 'status')).toContain('Chassis Power is off');
  });

  it(
    'keeps its files under the given base directory, leaves them on stop and starts afresh ' +
      'next time',
    async () => {
      const baseDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bmc-sim-spec-'));
      try {
        const bmc = await startSimulatedBmc({ name: 'kept' }, { baseDir });
        expect(bmc.stateDir).toBe(path.join(baseDir, 'kept'));
        // The password is in lan.conf: not for everyone's eyes.
        expect(fs.statSync(path.join(bmc.stateDir, 'lan.conf')).mode & 0o077).toBe(0);
        await ipmitool(bmc, 'chassis', 'power', 'on');
        await bmc.stop();
        expect(bmc.running).toBe(false);
        expect(fs.readFileSync(path.join(bmc.stateDir, 'power'), 'utf8')).toBe('1\n');
        expect(fs.readFileSync(path.join(bmc.stateDir, 'events.log'), 'utf8')).toMatch(
          /^\d+ power 1\n$/,
        );

        const again = await startSimulatedBmc({ name: 'kept' }, { baseDir });
        try {
          expect(again.power()).toBe('off');
          expect(again.events()).toEqual([]);
        } finally {
          await again.stop();
        }

        fs.mkdirSync(path.join(baseDir, 'foreign'));
        fs.writeFileSync(path.join(baseDir, 'foreign', 'precious.txt'), 'keep me');
        await expect(startSimulatedBmc({ name: 'foreign' }, { baseDir })).rejects.toThrow(
          /refusing to overwrite/,
        );
        expect(fs.readFileSync(path.join(baseDir, 'foreign', 'precious.txt'), 'utf8')).toBe(
          'keep me',
        );
      } finally {
        fs.rmSync(baseDir, { recursive: true, force: true });
      }
    },
  );

  it('rejects a spec that would not be safe to write into its config', async () => {
    await expect(startSimulatedBmc({ name: '../escape' })).rejects.toThrow(/name/);
    await expect(startSimulatedBmc({ name: 'pw', password: 'has space' })).rejects.toThrow(
      /password/,
    );
    await expect(startSimulatedBmc({ name: 'pw', password: 'x"y' })).rejects.toThrow(/password/);
    await expect(startSimulatedBmc({ name: 'lo', host: '127.0.0.1' })).rejects.toThrow(
      /127\.0\.0\.1/,
    );
  });
});
