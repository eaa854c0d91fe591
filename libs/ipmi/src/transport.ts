import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

import { IpmiError } from './errors';

export interface Remote {
  address: string;
  port: number;
  family: 4 | 6;
}

type Receive = (datagram: Buffer, from: { address: string; port: number }) => void;

/**
 * One UDP socket per address family for every BMC the process talks to: answers are told apart
 * by the client (address, port and session ID), not by socket. The sockets do not keep the
 * process alive.
 */
export class Transport {
  private readonly sockets = new Map<4 | 6, dgram.Socket>();
  private closed = false;

  constructor(private readonly receive: Receive) {}

  private socket(family: 4 | 6): dgram.Socket {
    let socket = this.sockets.get(family);
    if (!socket) {
      socket = dgram.createSocket({ type: family === 4 ? 'udp4' : 'udp6' });
      socket.on('message', (msg, rinfo) => this.receive(msg, rinfo));
      // A send error (no route) also surfaces here; each send reports its own through its callback.
      socket.on('error', () => undefined);
      socket.bind(0);
      socket.unref();
      this.sockets.set(family, socket);
    }
    return socket;
  }

  /** Where `host` is, once: an unresolvable name is 'unreachable'. */
  async resolve(host: string, port: number): Promise<Remote> {
    const literal = isIP(host);
    if (literal === 4 || literal === 6) return { address: host, port, family: literal };
    try {
      const found = await lookup(host);
      return { address: found.address, port, family: found.family === 6 ? 6 : 4 };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'lookup failed';
      throw new IpmiError(
        'unreachable',
        `${host}:${port}: the host name does not resolve (${code})`,
      );
    }
  }

  send(datagram: Buffer, to: Remote): Promise<void> {
    if (this.closed) return Promise.reject(new IpmiError('closed', 'the IPMI client is closed'));
    return new Promise((resolve, reject) => {
      this.socket(to.family).send(datagram, to.port, to.address, (error) => {
        if (!error) return resolve();
        reject(
          new IpmiError(
            'unreachable',
            `${to.address}:${to.port}: cannot send ` +
              `(${(error as NodeJS.ErrnoException).code ?? error.message})`,
          ),
        );
      });
    });
  }

  /** The local port of the IPv4 socket (for tests that look at the traffic). */
  localPort(): number | undefined {
    const socket = this.sockets.get(4);
    try {
      return socket?.address().port;
    } catch {
      return undefined;
    }
  }

  close(): void {
    this.closed = true;
    for (const socket of this.sockets.values()) socket.close();
    this.sockets.clear();
  }
}
