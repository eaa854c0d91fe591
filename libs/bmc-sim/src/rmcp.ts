import dgram from 'node:dgram';

/**
 * RMCP/ASF presence ping (DMTF ASF 2.0, 3.2.4.1): RMCP header (version 6, reserved,
 * sequence 0xff = no ack, class 6 = ASF), ASF IANA 4542, message type 0x80 (ping),
 * message tag, reserved, data length 0. A BMC's LAN stack answers with a pong (0x40).
 */
function pingPacket(tag: number): Buffer {
  return Buffer.from([
    0x06,
    0x00,
    0xff,
    0x06,
    0x00,
    0x00,
    0x11,
    0xbe,
    0x80,
    tag & 0xff,
    0x00,
    0x00,
  ]);
}

function isPong(msg: Buffer): boolean {
  return msg.length >= 12 && msg[0] === 0x06 && msg[3] === 0x06 && msg[8] === 0x40;
}

/**
 * Sends presence pings to `host:port` every `intervalMs` until one is answered (true) or
 * `timeoutMs` has passed, or `shouldStop()` says so (false). One socket per call.
 */
export function rmcpPing(
  host: string,
  port: number,
  timeoutMs: number,
  options: { intervalMs?: number; shouldStop?: () => boolean } = {},
): Promise<boolean> {
  const intervalMs = options.intervalMs ?? 25;
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    let done = false;
    let tag = 0;
    const finish = (answered: boolean): void => {
      if (done) return;
      done = true;
      clearInterval(timer);
      clearTimeout(deadline);
      socket.close();
      resolve(answered);
    };
    const send = (): void => {
      if (options.shouldStop?.()) return finish(false);
      socket.send(pingPacket(tag++), port, host, () => undefined);
    };
    socket.on('message', (msg) => {
      if (isPong(msg)) finish(true);
    });
    // Nothing listening yet shows up as an ICMP error on some kernels: just keep pinging.
    socket.on('error', () => undefined);
    const timer = setInterval(send, intervalMs);
    const deadline = setTimeout(() => finish(false), timeoutMs);
    send();
  });
}
