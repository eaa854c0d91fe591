import crypto from 'node:crypto';
import dgram from 'node:dgram';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/*
 * Loopback address scheme
 * -----------------------
 * Linux routes all of 127.0.0.0/8 to `lo`, so every 127.a.b.c can be bound without any set-up.
 * Simulated BMCs live in 127.64.0.0/10 (127.64.0.0 - 127.127.255.255), cut into 16 384 blocks
 * of one /24 each (127.B.C.0/24, B = 64..127, C = 0..255), hosts .1 to .254 of each block.
 * 127.0.0.0/16 (so 127.0.0.1) is never used.
 *
 * A process leases whole blocks, starting at a random one, by creating
 * `<lease dir>/127.B.C.lease` exclusively (O_EXCL) with its pid inside. A lease whose pid no
 * longer runs is stale and taken over. Leases are removed when the process exits. So test files
 * running at the same time (separate jest workers) and the sandbox never share a block.
 * Within a block every address is also checked free: binding a UDP socket to address:port must
 * succeed (ipmi_sim does not fail when its address is taken, so this is the only guard against
 * something started outside this scheme).
 *
 * Lease directory: $SWITCHBOARD_BMC_SIM_LEASE_DIR, else <os.tmpdir()>/switchboard-bmc-sim/leases.
 * The first lease of a process also sweeps the leases of processes that are gone.
 */

const FIRST_SECOND_OCTET = 64;
const SECOND_OCTETS = 64;
const BLOCK_COUNT = SECOND_OCTETS * 256;
const HOSTS_PER_BLOCK = 254;

interface Block {
  prefix: string;
  leaseFile: string;
  nextHost: number;
}

const leased: Block[] = [];
let exitHookInstalled = false;

export function leaseDirectory(): string {
  return (
    process.env.SWITCHBOARD_BMC_SIM_LEASE_DIR ??
    path.join(os.tmpdir(), 'switchboard-bmc-sim', 'leases')
  );
}

function blockPrefix(index: number): string {
  return `127.${FIRST_SECOND_OCTET + Math.floor(index / 256)}.${index % 256}`;
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates the lease `file` for this process, taking it over if its holder is gone. Internal;
 * exported for tests.
 */
export function tryLease(file: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx');
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, at: new Date().toISOString() }));
      fs.closeSync(fd);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (!isStale(file)) return false;
    try {
      fs.unlinkSync(file); // stale lease of a process that is gone
    } catch {
      return false;
    }
  }
  return false;
}

/** A lease whose process no longer runs (or unreadable and older than 10 s). */
function isStale(file: string): boolean {
  let owner: number;
  try {
    owner = Number((JSON.parse(fs.readFileSync(file, 'utf8')) as { pid?: unknown }).pid);
  } catch {
    // Being written right now by its holder, or garbage: stale only once old.
    return Date.now() - safeMtime(file) > 10_000;
  }
  return !pidAlive(owner);
}

/**
 * Removes the leases of processes that are gone (killed ones never release theirs; under jest
 * the exit hook does not run either). Internal; exported for tests.
 */
export function sweepStaleLeases(dir = leaseDirectory()): number {
  let removed = 0;
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return 0;
  }
  for (const entry of entries) {
    if (!entry.endsWith('.lease')) continue;
    const file = path.join(dir, entry);
    if (isStale(file)) {
      try {
        fs.unlinkSync(file);
        removed++;
      } catch {
        // someone else swept it
      }
    }
  }
  return removed;
}

function safeMtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function releaseAll(): void {
  for (const block of leased.splice(0)) {
    try {
      fs.unlinkSync(block.leaseFile);
    } catch {
      // already gone
    }
  }
}

function leaseBlock(): Block {
  const dir = leaseDirectory();
  fs.mkdirSync(dir, { recursive: true });
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', releaseAll);
    sweepStaleLeases(dir);
  }
  const start = crypto.randomInt(BLOCK_COUNT);
  for (let i = 0; i < BLOCK_COUNT; i++) {
    const prefix = blockPrefix((start + i) % BLOCK_COUNT);
    const leaseFile = path.join(dir, `${prefix}.lease`);
    if (tryLease(leaseFile)) {
      const block = { prefix, leaseFile, nextHost: 1 };
      leased.push(block);
      return block;
    }
  }
  throw new Error(`no free loopback block left in 127.64.0.0/10 (leases in ${dir})`);
}

/** True when nothing else holds `host:port` (UDP). Unknown (no permission) counts as free. */
function udpFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: false });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      socket.close();
      resolve(err.code !== 'EADDRINUSE');
    });
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.close(() => resolve(true));
    });
  });
}

/**
 * `count` distinct loopback addresses (127.64.0.0/10, see the scheme above) that no other
 * process using this library holds and on which nothing listens on UDP `port` (default 623).
 * Addresses stay reserved for the life of the process; repeated calls never return one twice.
 */
export async function allocateLoopbackAddresses(
  count: number,
  options: { port?: number } = {},
): Promise<string[]> {
  if (!Number.isInteger(count) || count < 0)
    throw new RangeError(`count must be a whole number >= 0, got ${count}`);
  const port = options.port ?? 623;
  const result: string[] = [];
  while (result.length < count) {
    let block = leased.find((b) => b.nextHost <= HOSTS_PER_BLOCK);
    if (!block) block = leaseBlock();
    const candidates: string[] = [];
    while (block.nextHost <= HOSTS_PER_BLOCK && candidates.length < count - result.length) {
      candidates.push(`${block.prefix}.${block.nextHost++}`);
    }
    const free = await Promise.all(candidates.map((host) => udpFree(host, port)));
    candidates.forEach((host, i) => {
      if (free[i]) result.push(host);
    });
  }
  return result;
}
