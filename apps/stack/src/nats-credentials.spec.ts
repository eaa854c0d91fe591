import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeNatsCredentials } from './nats-credentials';

describe('nats-credentials (for deployments)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sb-nats-creds-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the passwords, users.conf and routes.conf, each 0600, and keeps them', () => {
    const out = join(dir, 'nats');
    const routes = ['nats://nats-1:6222', 'nats://nats-2:6222'];
    const first = writeNatsCredentials(out, routes);
    expect(first.files).toEqual([
      'api.password',
      'controller.password',
      'route.password',
      'users.conf',
      'routes.conf',
    ]);
    expect(statSync(out).mode & 0o777).toBe(0o700);
    for (const f of first.files)
      expect([f, statSync(join(out, f)).mode & 0o777]).toEqual([f, 0o600]);
    const api = readFileSync(join(out, 'api.password'), 'utf8');
    const route = readFileSync(join(out, 'route.password'), 'utf8').trim();
    const users = readFileSync(join(out, 'users.conf'), 'utf8');
    expect(users).toMatch(/^authorization \{/);
    expect(users).not.toContain(api.trim());
    expect(readFileSync(join(out, 'routes.conf'), 'utf8')).toContain(
      `"nats://route:${route}@nats-1:6222"`,
    );
    writeNatsCredentials(out, routes);
    expect(readFileSync(join(out, 'api.password'), 'utf8')).toBe(api);
  });

  it.each(['nats://user:pw@nats-1:6222', 'nats-1:6222', 'nats://nats-1'])(
    'refuses the route %s, naming it',
    (route) => {
      expect(() => writeNatsCredentials(join(dir, 'n'), [route])).toThrow(`--route "${route}"`);
    },
  );
});
