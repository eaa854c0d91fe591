import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@switchboard/nats';
import { createApp } from './app';
import { captureLogger } from './testing/harness';

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
    await expect(createApp({ natsUrl: `nats://127.0.0.1:${port}`, inventoryFile: file, logger: captureLogger().logger })).rejects.toThrow(/invalid node name/);
  });

  it('waits for NATS, and gives up when aborted', async () => {
    const file = join(dir, 'topology.yaml');
    writeFileSync(file, 'static_nodes:\n  node01:\n    ranks: [login]\n');
    const port = await freePort();
    const ac = new AbortController();
    const starting = createApp({ natsUrl: `nats://127.0.0.1:${port}`, inventoryFile: file, logger: captureLogger().logger, signal: ac.signal });
    setTimeout(() => ac.abort(), 300);
    await expect(starting).rejects.toThrow();
  });
});
