import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { allocateLoopbackAddresses, ipmitoolArgs, leaseDirectory } from './index';
import { sweepStaleLeases, tryLease } from './loopback';

function bindUdp(host: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket('udp4');
    socket.once('error', reject);
    socket.bind({ address: host, port }, () => resolve(socket));
  });
}

function nextAddress(host: string): string {
  const parts = host.split('.').map(Number);
  parts[3] += 1;
  return parts.join('.');
}

describe('allocateLoopbackAddresses', () => {
  it(
    'hands out distinct addresses in 127.64.0.0/10, never 127.0.0.1, and never the same ' +
      'one twice',
    async () => {
      const first = await allocateLoopbackAddresses(300);
      const second = await allocateLoopbackAddresses(20);
      const all = [...first, ...second];
      expect(new Set(all).size).toBe(320);
      for (const host of all) {
        const [a, b, , d] = host.split('.').map(Number);
        expect(a).toBe(127);
        expect(b).toBeGreaterThanOrEqual(64);
        expect(b).toBeLessThanOrEqual(127);
        expect(d).toBeGreaterThanOrEqual(1);
        expect(d).toBeLessThanOrEqual(254);
      }
    },
  );

  it('holds a lease file with this process id for each /24 block it uses', async () => {
    const [host] = await allocateLoopbackAddresses(1);
    const block = host.split('.').slice(0, 3).join('.');
    const lease = JSON.parse(
      fs.readFileSync(path.join(leaseDirectory(), `${block}.lease`), 'utf8'),
    ) as { pid: number };
    expect(lease.pid).toBe(process.pid);
  });

  it('skips an address on which something already listens', async () => {
    const [host] = await allocateLoopbackAddresses(1, { port: 6230 });
    const taken = nextAddress(host);
    const socket = await bindUdp(taken, 6230);
    try {
      const [next] = await allocateLoopbackAddresses(1, { port: 6230 });
      expect(next).toBe(nextAddress(taken));
    } finally {
      socket.close();
    }
  });

  describe('leases', () => {
    let dir: string;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bmc-sim-leases-'));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    const lease = (name: string): { pid: number } =>
      JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8'));

    it('takes over the lease of a process that is gone', () => {
      fs.writeFileSync(path.join(dir, '127.100.7.lease'), JSON.stringify({ pid: 99_999_999 }));
      expect(tryLease(path.join(dir, '127.100.7.lease'))).toBe(true);
      expect(lease('127.100.7.lease').pid).toBe(process.pid);
    });

    it('never takes the lease of a live process, nor one being written', () => {
      fs.writeFileSync(path.join(dir, '127.100.8.lease'), JSON.stringify({ pid: 1 }));
      fs.writeFileSync(path.join(dir, '127.100.9.lease'), '');
      expect(tryLease(path.join(dir, '127.100.8.lease'))).toBe(false);
      expect(tryLease(path.join(dir, '127.100.9.lease'))).toBe(false);
      expect(lease('127.100.8.lease').pid).toBe(1);
      expect(tryLease(path.join(dir, '127.100.10.lease'))).toBe(true);
      expect(tryLease(path.join(dir, '127.100.10.lease'))).toBe(false);
    });

    it('sweeps only the leases of processes that are gone', () => {
      fs.writeFileSync(path.join(dir, '127.64.0.lease'), JSON.stringify({ pid: 99_999_999 }));
      fs.writeFileSync(path.join(dir, '127.64.1.lease'), JSON.stringify({ pid: process.pid }));
      expect(sweepStaleLeases(dir)).toBe(1);
      expect(fs.readdirSync(dir)).toEqual(['127.64.1.lease']);
    });
  });
});

describe('ipmitoolArgs', () => {
  it(
    'passes the password through IPMI_PASSWORD and -E, never -P, and always picks cipher ' +
      'suite 3',
    () => {
      const { args, env } = ipmitoolArgs(
        { host: '127.64.0.9', port: 6230, username: 'admin', password: 'pw-123' },
        'chassis',
        'power',
        'status',
      );
      expect(args).toEqual([
        '-I',
        'lanplus',
        '-C',
        '3',
        '-H',
        '127.64.0.9',
        '-p',
        '6230',
        '-U',
        'admin',
        '-E',
        'chassis',
        'power',
        'status',
      ]);
      expect(args).not.toContain('-P');
      expect(args.join(' ')).not.toContain('pw-123');
      expect(env.IPMI_PASSWORD).toBe('pw-123');
      expect(env.PATH).toBe(process.env.PATH);
    },
  );
});
