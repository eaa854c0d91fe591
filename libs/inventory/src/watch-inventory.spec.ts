import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { lines, tempDir } from '../test/helpers';
import { Inventory, InventoryError, InventoryWatch, watchInventory } from './index';

interface LogLine {
  level: number;
  msg: string;
  file?: string;
  line?: number;
  error?: string;
}

function captureLogger(): { logger: pino.Logger; raw: () => string; entries: () => LogLine[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const raw = (): string => chunks.join('');
  return {
    logger: pino({ level: 'debug' }, stream),
    raw,
    entries: () =>
      raw()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as LogLine),
  };
}

async function waitFor(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const names = (inv: Inventory): string[] => inv.servers.map((s) => s.name);

describe('watchInventory', () => {
  let tmp: ReturnType<typeof tempDir>;
  let file: string;
  let watch: InventoryWatch | undefined;

  beforeEach(() => {
    tmp = tempDir();
    file = join(tmp.dir, 'inventory.yaml');
  });

  afterEach(async () => {
    await watch?.close();
    watch = undefined;
    tmp.cleanup();
  });

  it('keeps the last good inventory through a broken edit and picks up the fix', async () => {
    writeFileSync(file, lines('node01:', '  ranks: [metal]'));
    const log = captureLogger();
    const changes: Array<[string[], string[]]> = [];
    watch = watchInventory(file, {
      logger: log.logger,
      onChange: (next, previous) => changes.push([names(next), names(previous)]),
    });
    await watch.ready;
    const first = watch.current();
    expect(names(first)).toEqual(['node01']);

    // Broken: ranks must be a list.
    writeFileSync(file, lines('node01:', '  ranks: metal'));
    await waitFor('a warning', () => log.entries().some((e) => e.level === 40));
    expect(watch.current()).toBe(first);
    expect(changes).toEqual([]);
    const warning = log.entries().find((e) => e.level === 40);
    expect(warning).toMatchObject({
      msg: 'inventory reload failed; keeping the last good inventory',
      file,
      line: 2,
      error: `${file}:2: node "node01": field "ranks": expected a list, got "metal"`,
    });
    expect(watch.lastError()).toBeInstanceOf(InventoryError);

    // Fixed.
    writeFileSync(file, lines('node01:', '  ranks: [metal]', 'node02:', '  ranks: [metal]'));
    await waitFor('the fixed inventory', () => changes.length === 1);
    expect(changes).toEqual([[['node01', 'node02'], ['node01']]]);
    expect(names(watch.current())).toEqual(['node01', 'node02']);
    expect(watch.lastError()).toBeUndefined();
    expect(log.entries().some((e) => e.level === 30 && e.msg === 'inventory reloaded')).toBe(true);
  });

  it(
    'reloads when an editor saves by writing a temporary file and renaming it over the ' +
      'original',
    async () => {
      writeFileSync(file, lines('node01: {}'));
      const changes: Inventory[] = [];
      watch = watchInventory(file, { onChange: (next) => changes.push(next) });
      await watch.ready;

      const temp = join(tmp.dir, '.inventory.yaml.swp');
      writeFileSync(temp, lines('node01: {}', 'node02: {}', 'node03: {}'));
      renameSync(temp, file);
      await waitFor('the renamed file', () => changes.length > 0);
      expect(names(watch.current())).toEqual(['node01', 'node02', 'node03']);

      // Later in-place edits are still seen: the watch follows the name, not the old inode.
      writeFileSync(file, lines('node04: {}'));
      await waitFor('an edit after the rename', () =>
        names(watch?.current() as Inventory).includes('node04'),
      );
    },
  );

  it('loads a burst of writes once, after they settle', async () => {
    writeFileSync(file, lines('node00: {}'));
    const changes: Inventory[] = [];
    watch = watchInventory(file, { onChange: (next) => changes.push(next), debounceMs: 150 });
    await watch.ready;
    for (let i = 1; i <= 5; i++) writeFileSync(file, lines(`node0${i}: {}`));
    await waitFor('the reload', () => changes.length > 0);
    await new Promise((r) => setTimeout(r, 400));
    expect(changes.map(names)).toEqual([['node05']]);
  });

  it('ignores other files in the same directory', async () => {
    writeFileSync(file, lines('node01: {}'));
    const changes: Inventory[] = [];
    watch = watchInventory(file, { onChange: (next) => changes.push(next) });
    await watch.ready;
    writeFileSync(join(tmp.dir, 'other.yaml'), 'not: [an inventory');
    await new Promise((r) => setTimeout(r, 400));
    expect(changes).toEqual([]);
  });

  it('keeps serving the last inventory while a save has truncated the file', async () => {
    writeFileSync(file, lines('node01: {}'));
    const log = captureLogger();
    watch = watchInventory(file, { logger: log.logger });
    await watch.ready;
    const before = watch.current();
    writeFileSync(file, '');
    await waitFor('a warning', () => log.entries().some((e) => e.level === 40));
    expect(watch.current()).toBe(before);
    expect(log.entries().find((e) => e.level === 40)?.error).toBe(
      `${file}:1: the inventory is empty: expected nodes, or static_nodes, platforms and groups`,
    );
  });

  it(
    'keeps serving the last inventory while the file is deleted, and loads it when it ' + 'returns',
    async () => {
      writeFileSync(file, lines('node01: {}'));
      const log = captureLogger();
      const changes: Inventory[] = [];
      watch = watchInventory(file, { logger: log.logger, onChange: (next) => changes.push(next) });
      await watch.ready;
      unlinkSync(file);
      await waitFor('a warning', () => log.entries().some((e) => e.level === 40));
      expect(log.entries().find((e) => e.level === 40)?.error).toBe(
        `${file}: cannot read the inventory file (ENOENT)`,
      );
      expect(names(watch.current())).toEqual(['node01']);

      writeFileSync(file, lines('node02: {}'));
      await waitFor('the restored file', () => changes.length === 1);
      expect(names(watch.current())).toEqual(['node02']);
    },
  );

  it('never logs a password from a broken edit', async () => {
    const env = { BMC_PASSWORD: 'hunter2' };
    writeFileSync(
      file,
      lines('node01:', '  platform: ipmi', '  bmc: { password_env: BMC_PASSWORD }'),
    );
    const log = captureLogger();
    watch = watchInventory(file, { logger: log.logger, env });
    await watch.ready;
    expect(watch.current().get('node01')?.bmc?.password).toBe('hunter2');

    writeFileSync(
      file,
      lines('node01:', '  platform: ipmi', '  bmc: { password: hunter2, port: abc }'),
    );
    await waitFor('a warning', () => log.entries().some((e) => e.level === 40));
    expect(log.raw()).toContain('bmc.port');
    expect(log.raw()).not.toContain('hunter2');
  });

  it('throws when the first load fails', () => {
    writeFileSync(file, lines('node01: aws'));
    expect(() => watchInventory(file)).toThrow(
      `${file}:1: node "node01": expected a map of node settings, got "aws"`,
    );
  });

  it('stops reloading once closed', async () => {
    writeFileSync(file, lines('node01: {}'));
    const changes: Inventory[] = [];
    watch = watchInventory(file, { onChange: (next) => changes.push(next) });
    await watch.ready;
    await watch.close();
    writeFileSync(file, lines('node02: {}'));
    await new Promise((r) => setTimeout(r, 400));
    expect(changes).toEqual([]);
    expect(names(watch.current())).toEqual(['node01']);
  });
});
