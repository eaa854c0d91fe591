import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { STREAM_OUTPUT } from '@switchboard/condition-types';
import { provision } from '@switchboard/nats';
import pino from 'pino';
import { readOutput, textOf } from '../test-support/commands';
import { startTestNats, TestNats } from '../test-support/harness';
import { ByteBudget } from './output-budget';
import { OutputPublisher } from './output-publisher';

// Against a real nats-server: the stream as clients read it.

const quiet = pino({ level: 'silent' });
let nats: TestNats;
let n = 0;
const nextId = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;

beforeAll(async () => {
  nats = await startTestNats('output');
});

afterAll(async () => {
  await nats?.stop();
});

describe('OutputPublisher', () => {
  it(
    'keeps the order of each stream, ' + 'and flush() resolves only once every line is stored',
    async () => {
      const budget = new ByteBudget(64 * 1024 * 1024);
      const conditionId = nextId();
      const publisher = new OutputPublisher(
        jetstream(nats.nc),
        { conditionId, server: 'node01' },
        quiet,
        budget,
      );

      for (let i = 1; i <= 3000; i++) {
        publisher.push('stdout', `out ${i}`);
        if (i % 3 === 0) publisher.push('stderr', `err ${i}`);
      }
      const summary = await publisher.flush();

      expect(summary).toEqual({ published: 4000, failed: 0, dropped: 0 });
      expect(budget.inUse).toBe(0);
      const lines = await readOutput(nats, conditionId);
      expect(textOf(lines, 'stdout')).toEqual(
        Array.from({ length: 3000 }, (_, i) => `out ${i + 1}`),
      );
      expect(textOf(lines, 'stderr')).toEqual(
        Array.from({ length: 1000 }, (_, i) => `err ${3 * (i + 1)}`),
      );
      expect(lines[0]).toMatchObject({
        conditionId,
        server: 'node01',
        stream: 'stdout',
        line: 'out 1',
      });
    },
  );

  it(
    'drops and counts the lines beyond the shared budget, rather than holding output ' +
      'without bound',
    async () => {
      const budget = new ByteBudget(2000);
      const conditionId = nextId();
      const publisher = new OutputPublisher(
        jetstream(nats.nc),
        { conditionId, server: 'node01' },
        quiet,
        budget,
      );

      for (let i = 1; i <= 100; i++) publisher.push('stdout', `line ${i}`);
      const summary = await publisher.flush();

      expect(summary.dropped).toBeGreaterThan(0);
      expect(summary.published + summary.dropped).toBe(100);
      expect(await readOutput(nats, conditionId)).toHaveLength(summary.published);
      expect(budget.inUse).toBe(0);
    },
  );

  it('counts lines it could not publish, with the first error, and still resolves', async () => {
    const jsm = await jetstreamManager(nats.nc);
    await jsm.streams.delete(STREAM_OUTPUT);
    try {
      const publisher = new OutputPublisher(
        jetstream(nats.nc, { timeout: 1000 }),
        { conditionId: nextId(), server: 'node01' },
        quiet,
        new ByteBudget(1 << 20),
      );
      publisher.push('stdout', 'lost');
      publisher.push('stderr', 'lost too');

      const summary = await publisher.flush();

      expect(summary).toMatchObject({ published: 0, failed: 2, dropped: 0 });
      expect(summary.firstError).toBeTruthy();
    } finally {
      await provision(nats.nc);
    }
  });

  it('flush() of a run that printed nothing resolves at once', async () => {
    const publisher = new OutputPublisher(
      jetstream(nats.nc),
      { conditionId: nextId(), server: 'node01' },
      quiet,
      new ByteBudget(1),
    );
    await expect(publisher.flush()).resolves.toEqual({ published: 0, failed: 0, dropped: 0 });
  });
});
