/**
 * NATS_URL as operators write it: one server, or several separated by commas
 * (`nats://n1:4222,nats://n2:4222,nats://n3:4222`). The client tries them in turn and, once
 * connected, also learns the rest of the cluster from the server it reached.
 */
export function parseServerList(value: string | readonly string[]): string[] {
  const raw = typeof value === 'string' ? value.split(',') : value.flatMap((v) => v.split(','));
  const servers = raw.map((s) => s.trim()).filter((s) => s.length > 0);
  if (servers.length === 0) throw new Error('NATS_URL names no server');
  for (const s of servers) {
    const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(s) ? s : `nats://${s}`;
    let url: URL;
    try {
      url = new URL(withScheme);
    } catch {
      throw new Error(`NATS_URL: "${s}" is not a server address (nats://host:port)`);
    }
    if (!['nats:', 'tls:', 'ws:', 'wss:'].includes(url.protocol))
      throw new Error(`NATS_URL: "${s}" has scheme ${url.protocol} (expected nats:// or tls://)`);
    if (!url.hostname) throw new Error(`NATS_URL: "${s}" names no host`);
  }
  return servers;
}
