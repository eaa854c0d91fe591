import fs from 'node:fs';

import { runIpmitool, startSimulatedBmc, startSimulatedFleet } from './index';

/** Live processes whose command line mentions `text` (from /proc, so nothing is missed). */
function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes(text)) pids.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

describe('a simulated fleet', () => {
  it(
    'starts 10 BMCs in parallel, ' + 'each on its own loopback address, and all of them answer',
    async () => {
      const t0 = Date.now();
      const fleet = await startSimulatedFleet(10);
      const startMs = Date.now() - t0;
      try {
        expect(fleet.bmcs).toHaveLength(10);
        expect(startMs).toBeLessThan(5000);
        const hosts = fleet.bmcs.map((bmc) => bmc.host);
        expect(new Set(hosts).size).toBe(10);
        expect(hosts).not.toContain('127.0.0.1');
        const results = await Promise.all(
          fleet.bmcs.map((bmc) => runIpmitool(bmc, ['chassis', 'power', 'status'])),
        );
        for (const result of results) {
          expect(result.code).toBe(0);
          expect(result.stdout).toContain('Chassis Power is off');
        }
        expect(fleet.get('bmc-003').name).toBe('bmc-003');
        expect(() => fleet.get('nope')).toThrow(/nope/);
      } finally {
        await fleet.stop();
      }
    },
  );

  it('gives each member its own behaviour, credentials and initial state', async () => {
    const fleet = await startSimulatedFleet(
      [
        { name: 'web-1', initialPower: 'on', bootDevice: 'pxe' },
        { name: 'db-1', behaviour: 'stuck', username: 'ops', password: 'Other-pw1' },
      ],
      { defaults: { password: 'Fleet-pw' } },
    );
    try {
      const web = fleet.get('web-1');
      const db = fleet.get('db-1');
      expect(web.password).toBe('Fleet-pw');
      expect((await runIpmitool(web, ['chassis', 'power', 'status'])).stdout).toContain('is on');
      expect(web.bootDevice()).toBe('pxe');
      expect((await runIpmitool(db, ['chassis', 'power', 'on'])).code).toBe(0);
      expect(db.power()).toBe('off');
    } finally {
      await fleet.stop();
    }
  });

  it('stop() leaves no ipmi_sim process behind and removes its temporary directory', async () => {
    const fleet = await startSimulatedFleet(3);
    const baseDir = fleet.baseDir;
    const running = processesMentioning(baseDir);
    expect(running.sort()).toEqual(fleet.bmcs.map((bmc) => bmc.pid).sort());
    // Something for stop() to interrupt: a BMC stuck on while a power cycle waits for it to go off.
    const stuck = fleet.bmcs[0];
    stuck.setPower('on');
    stuck.setBehaviour('stuck');
    await runIpmitool(stuck, ['chassis', 'power', 'cycle']);

    await fleet.stop();
    expect(processesMentioning(baseDir)).toEqual([]);
    for (const bmc of fleet.bmcs) expect(bmc.running).toBe(false);
    expect(fs.existsSync(baseDir)).toBe(false);
    await fleet.stop(); // idempotent
  });

  it(
    "throws with ipmi_sim's own " + 'message when the simulator rejects its configuration',
    async () => {
      // 192.0.2.1 (TEST-NET-1) is not an address of this machine: ipmi_sim cannot bind it and
      // exits.
      const attempt = startSimulatedBmc({ name: 'unbindable', host: '192.0.2.1' });
      await expect(attempt).rejects.toThrow(/exited with status 1 during start-up/);
      await expect(attempt).rejects.toThrow(
        /Unable to bind to LAN port: Cannot assign requested address/,
      );
      expect(processesMentioning('unbindable')).toEqual([]);
    },
  );

  it('stops the members that did start when one of them fails', async () => {
    const attempt = startSimulatedFleet([
      { name: 'fine-1' },
      { name: 'broken', host: '192.0.2.1' },
      { name: 'fine-2' },
    ]);
    await expect(attempt).rejects.toThrow(
      /1 of 3 simulated BMCs did not start \(broken\).*Unable to bind/s,
    );
    expect(
      processesMentioning('switchboard-bmc-sim-').filter((pid) => {
        try {
          return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('fine-');
        } catch {
          return false;
        }
      }),
    ).toEqual([]);
  });

  it('can wait for a real ipmitool answer instead of an RMCP pong before resolving', async () => {
    const fleet = await startSimulatedFleet(3, { probe: 'ipmitool', probeConcurrency: 2 });
    try {
      for (const bmc of fleet.bmcs) expect(bmc.power()).toBe('off');
      expect(fleet.bmcs.every((bmc) => bmc.running)).toBe(true);
    } finally {
      await fleet.stop();
    }
  });

  it('says so when the simulator binary is missing', async () => {
    await expect(
      startSimulatedBmc({ name: 'nobinary' }, { ipmiSimPath: '/nonexistent/ipmi_sim' }),
    ).rejects.toThrow(/nobinary/);
  });
});
