import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/** What the probes ask of the running controller. */
export interface HealthSource {
  /** Started: connected to NATS, stream and buckets provisioned, pulling. */
  started(): boolean;
  /** Draining or stopped: no new work is taken. */
  stopping(): boolean;
  /** The NATS connection is open (it reconnects by itself while open). */
  natsOpen(): boolean;
  /** Conditions being worked on now. */
  inFlight(): number;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

/**
 * The controller's probe and metrics port (HEALTH_PORT): `GET /healthz` answers while the
 * event loop runs (liveness), `GET /readyz` once the controller is started, not stopping
 * and its NATS connection open (readiness), `GET /metrics` in Prometheus text format.
 * Nothing here tells more than up, ready and counts.
 */
export async function startHealthServer(
  source: HealthSource,
  port: number,
  host = '0.0.0.0',
): Promise<HealthServer> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'switchboard_controller_in_flight',
    help: 'Conditions this controller is working on',
    registers: [registry],
    collect() {
      this.set(source.inFlight());
    },
  });
  new Gauge({
    name: 'switchboard_controller_ready',
    help: '1 when the controller takes work',
    registers: [registry],
    collect() {
      this.set(ready(source) ? 1 : 0);
    },
  });

  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET') return send(405, { code: 'method_not_allowed' });
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') return send(200, { status: 'ok' });
    if (path === '/readyz') {
      return ready(source)
        ? send(200, { status: 'ready' })
        : send(503, { status: 'not ready', code: 'not_ready', reason: notReadyReason(source) });
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (text) => {
          res.writeHead(200, { 'content-type': registry.contentType });
          res.end(text);
        },
        () => send(500, { code: 'metrics_failed' }),
      );
      return;
    }
    send(404, { code: 'not_found' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function ready(s: HealthSource): boolean {
  return s.started() && !s.stopping() && s.natsOpen();
}

function notReadyReason(s: HealthSource): string {
  if (!s.started()) return 'starting';
  if (s.stopping()) return 'stopping';
  return 'NATS connection closed';
}
