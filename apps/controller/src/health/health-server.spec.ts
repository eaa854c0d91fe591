import { HealthSource, startHealthServer } from './health-server';

function source(overrides: Partial<Record<keyof HealthSource, unknown>> = {}): HealthSource {
  return {
    started: () => true,
    stopping: () => false,
    natsOpen: () => true,
    inFlight: () => 3,
    ...overrides,
  } as HealthSource;
}

async function get(port: number, path: string, method = 'GET') {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
  return { status: res.status, text: await res.text() };
}

describe('controller probe and metrics port', () => {
  it.each([
    ['ready', source(), 200, 'ready'],
    ['still starting', source({ started: () => false }), 503, 'starting'],
    ['draining', source({ stopping: () => true }), 503, 'stopping'],
    ['without NATS', source({ natsOpen: () => false }), 503, 'NATS connection closed'],
  ])('readyz when %s answers %i', async (_name, src, status, text) => {
    const server = await startHealthServer(src, 0, '127.0.0.1');
    try {
      const res = await get(server.port, '/readyz');
      expect(res.status).toBe(status);
      expect(res.text).toContain(text);
      // Liveness does not depend on readiness: a starting or draining controller is alive.
      expect((await get(server.port, '/healthz')).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('serves Prometheus metrics with the work in flight', async () => {
    const server = await startHealthServer(source(), 0, '127.0.0.1');
    try {
      const res = await get(server.port, '/metrics');
      expect(res.status).toBe(200);
      expect(res.text).toMatch(/^switchboard_controller_in_flight 3$/m);
      expect(res.text).toMatch(/^switchboard_controller_ready 1$/m);
      expect(res.text).toContain('process_resident_memory_bytes');
    } finally {
      await server.close();
    }
  });

  it('answers other paths and methods with a code', async () => {
    const server = await startHealthServer(source(), 0, '127.0.0.1');
    try {
      expect(await get(server.port, '/nope')).toEqual({
        status: 404,
        text: '{"code":"not_found"}',
      });
      expect((await get(server.port, '/healthz', 'POST')).status).toBe(405);
    } finally {
      await server.close();
    }
  });
});
