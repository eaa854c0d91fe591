import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomSigningKeys } from '@switchboard/condition-signing';
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
        signing: randomSigningKeys(),
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
        signing: randomSigningKeys(),
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
      signing: randomSigningKeys(),
      signal: ac.signal,
    });
    setTimeout(() => ac.abort(), 300);
    await expect(starting).rejects.toThrow();
  });

  describe('without a usable condition signing key', () => {
    const saved = process.env.CONDITION_SIGNING_KEY_FILE;
    afterEach(() => {
      if (saved === undefined) delete process.env.CONDITION_SIGNING_KEY_FILE;
      else process.env.CONDITION_SIGNING_KEY_FILE = saved;
    });

    it.each<[string, (() => string) | undefined, RegExp]>([
      ['no key file', undefined, /^CONDITION_SIGNING_KEY_FILE is required/],
      [
        'a key file others can read',
        () => {
          const file = join(dir, 'key');
          writeFileSync(file, 'k'.repeat(48), { mode: 0o644 });
          return file;
        },
        /key is open to others \(mode 0644\)/,
      ],
    ])('refuses to start with %s, before it touches NATS', async (_name, file, message) => {
      if (file) process.env.CONDITION_SIGNING_KEY_FILE = file();
      else delete process.env.CONDITION_SIGNING_KEY_FILE;
      const inventory = join(dir, 'topology.yaml');
      writeFileSync(inventory, 'static_nodes:\n  node01:\n    ranks: [login]\n');
      const starting = createApp({
        natsUrl: 'nats://127.0.0.1:1',
        inventoryFile: inventory,
        logger: captureLogger().logger,
        jwtSecret: JWT_SECRET,
      });
      await expect(starting).rejects.toThrow(message);
    });
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
