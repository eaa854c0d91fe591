import dgram from 'node:dgram';

/** What the proxy does to datagrams going one way. Probabilities are 0..1. */
export interface Impairment {
  drop?: number;
  duplicate?: number;
  /** Each datagram (and each duplicate) waits a random time in this range: this reorders them. */
  delayMs?: [number, number];
  /** Drops exactly these datagrams of the direction, counted from 1. */
  dropNumbers?: number[];
}

export interface UdpProxy {
  host: string;
  port: number;
  /** Datagrams seen, dropped and duplicated per direction. */
  stats: Record<'toBmc' | 'toClient', { seen: number; dropped: number; duplicated: number }>;
  close(): Promise<void>;
}

/** A small seeded generator (mulberry32), so a failing run can be repeated from its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A loopback UDP proxy between one client socket and one BMC that drops, duplicates, delays
 * and reorders datagrams, each direction on its own terms. For tests only; every timer it sets
 * is cleared on close.
 */
export async function startUdpProxy(
  bmc: { host: string; port: number },
  impair: { toBmc: Impairment; toClient: Impairment },
  random: () => number,
): Promise<UdpProxy> {
  const front = dgram.createSocket('udp4');
  const back = dgram.createSocket('udp4');
  const timers = new Set<NodeJS.Timeout>();
  let client: { address: string; port: number } | undefined;
  const stats = {
    toBmc: { seen: 0, dropped: 0, duplicated: 0 },
    toClient: { seen: 0, dropped: 0, duplicated: 0 },
  };

  const forward = (
    direction: 'toBmc' | 'toClient',
    datagram: Buffer,
    send: (d: Buffer) => void,
  ): void => {
    const rules = impair[direction];
    stats[direction].seen++;
    if (rules.dropNumbers?.includes(stats[direction].seen) || random() < (rules.drop ?? 0)) {
      stats[direction].dropped++;
      return;
    }
    const copies = random() < (rules.duplicate ?? 0) ? 2 : 1;
    if (copies === 2) stats[direction].duplicated++;
    for (let i = 0; i < copies; i++) {
      const [min, max] = rules.delayMs ?? [0, 0];
      const wait = min + random() * (max - min);
      if (wait <= 0) {
        send(datagram);
        continue;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        send(datagram);
      }, wait);
      timers.add(timer);
    }
  };

  front.on('message', (datagram, from) => {
    client = { address: from.address, port: from.port };
    forward('toBmc', datagram, (d) => back.send(d, bmc.port, bmc.host));
  });
  back.on('message', (datagram) => {
    const to = client;
    if (to) forward('toClient', datagram, (d) => front.send(d, to.port, to.address));
  });
  await Promise.all([
    new Promise<void>((resolve) => front.bind(0, '127.0.0.1', resolve)),
    new Promise<void>((resolve) => back.bind(0, '127.0.0.1', resolve)),
  ]);
  return {
    host: '127.0.0.1',
    port: front.address().port,
    stats,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      await Promise.all([
        new Promise<void>((resolve) => front.close(() => resolve())),
        new Promise<void>((resolve) => back.close(() => resolve())),
      ]);
    },
  };
}
