import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@switchboard/nats';
import { createApp } from './app';
import { JWT_SECRET, captureLogger } from './testing/harness';

describe('createApp', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sb-api-start-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a broken inventory before it touches NATS, naming the problem', async () => {
    const file = join(dir, 'topology.yaml');
    writeFileSync(file, 'static_nodes:\n  "bad name!":\n    platform: ipmi\n');
    const port = await freePort();
    await expect(
      createApp({
        natsUrl: `nats://127.0.0.1:${port}`,
        inventoryFile: file,
        logger: captureLogger().logger,
        jwtSecret: JWT_SECRET,
      }),
    ).rejects.toThrow(/invalid node name/);
  });

  it('refuses a commands directory it cannot read before it touches NATS, naming it', async () => {
    const file = join(dir, 'topology.yaml');
    writeFileSync(file, 'static_nodes:\n  node01:\n    ranks: [login]\n');
    const port = await freePort();
    const missing = join(dir, 'no-such-commands');
    await expect(
      createApp({
        natsUrl: `nats://127.0.0.1:${port}`,
        inventoryFile: file,
        logger: captureLogger().logger,
        jwtSecret: JWT_SECRET,
        commandsDir: missing,
      }),
    ).rejects.toThrow(`commands directory ${missing}: cannot be read (ENOENT)`);
  });

  it('waits for NATS, and gives up when aborted', async () => {
    const file = join(dir, 'topology.yaml');
    writeFileSync(file, 'static_nodes:\n  node01:\n    ranks: [login]\n');
    const port = await freePort();
    const ac = new AbortController();
    const starting = createApp({
      natsUrl: `nats://127.0.0.1:${port}`,
      inventoryFile: file,
      logger: captureLogger().logger,
      jwtSecret: JWT_SECRET,
      signal: ac.signal,
    });
    setTimeout(() => ac.abort(), 300);
    await expect(starting).rejects.toThrow();
  });

  describe('without a usable JWT secret', () => {
    const saved = {
      JWT_SECRET: process.env.JWT_SECRET,
      JWT_SECRET_FILE: process.env.JWT_SECRET_FILE,
    };
    afterEach(() => {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    });

    it.each<[string, Record<string, string | undefined>, string | undefined, RegExp]>([
      [
        'no secret anywhere',
        { JWT_SECRET: undefined, JWT_SECRET_FILE: undefined },
        undefined,
        /no JWT secret: set JWT_SECRET_FILE .* or JWT_SECRET/,
      ],
      [
        'a short secret given directly',
        {},
        'short',
        /createApp options is 5 bytes; HS256 needs at least 32/,
      ],
      [
        'a short JWT_SECRET',
        { JWT_SECRET: 'x'.repeat(31), JWT_SECRET_FILE: undefined },
        undefined,
        /JWT_SECRET is 31 bytes/,
      ],
    ])(
      'refuses to start with %s, before it touches the inventory or NATS',
      async (_name, env, jwtSecret, message) => {
        for (const [name, value] of Object.entries(env)) {
          if (value === undefined) delete process.env[name];
          else process.env[name] = value;
        }
        // Neither the inventory nor NATS exists: the secret is checked first.
        const starting = createApp({
          natsUrl: 'nats://127.0.0.1:1',
          inventoryFile: join(dir, 'missing.yaml'),
          logger: captureLogger().logger,
          ...(jwtSecret ? { jwtSecret } : {}),
        });
        await expect(starting).rejects.toThrow(message);
      },
    );
  });
});
