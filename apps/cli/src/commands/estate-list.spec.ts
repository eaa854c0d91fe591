import { serverUuid } from '@switchboard/inventory';
import { run } from '../program';
import { FakeApi } from '../test-support/fake-api';
import { memoryIo } from '../test-support/memory-io';
import { tableRows } from '../test-support/table';

function api(): FakeApi {
  return new FakeApi([
    { name: 'node01', groups: ['rack1'], ranks: ['metal', 'default'] },
    { name: 'node02', groups: ['rack1', 'gpu'], ranks: ['ipmi', 'default'] },
    { name: 'node10', groups: ['rack2'], ranks: ['default'] },
  ]);
}

async function mctl(argv: string[], fake = api()) {
  const io = memoryIo({ fetch: fake.fetch });
  const code = await run(argv, io);
  return { code, out: io.stdout.text(), err: io.stderr.text(), requests: fake.requests };
}

describe('mctl estate-list', () => {
  it(
    'lists the nodes with their ' + 'ranks, groups and platform, reading only the inventory',
    async () => {
      const { code, out, requests } = await mctl(['estate-list']);
      expect(code).toBe(0);
      expect(tableRows(out)).toEqual([
        ['NAME', 'RANKS', 'GROUPS', 'PLATFORM'],
        ['node01', 'metal,default', 'rack1', 'ipmi'],
        ['node02', 'ipmi,default', 'rack1,gpu', 'ipmi'],
        ['node10', 'default', 'rack2', 'ipmi'],
      ]);
      expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v1/servers']);
    },
  );

  it.each([
    [
      ['estate-list', '-g', 'rack1'],
      ['node01', 'node02'],
    ],
    [
      ['estate-list', 'node[01-02]'],
      ['node01', 'node02'],
    ],
    [
      ['estate-list', '@gpu,node10'],
      ['node02', 'node10'],
    ],
  ])('%j filters to %j', async (argv, names) => {
    const { code, out } = await mctl(['-o', 'json', ...argv]);
    expect(code).toBe(0);
    expect((JSON.parse(out) as Array<{ name: string }>).map((s) => s.name)).toEqual(names);
  });

  it('gives the public view with -o json', async () => {
    const { out } = await mctl(['-o', 'json', 'estate-list', 'node01']);
    expect(JSON.parse(out)).toEqual([
      {
        name: 'node01',
        platform: 'ipmi',
        driver: 'ipmi',
        ranks: ['metal', 'default'],
        groups: ['rack1'],
        uuid: serverUuid({ name: 'node01' }),
      },
    ]);
  });

  it('names what the inventory does not know on stderr, exit 1', async () => {
    const { code, err } = await mctl(['estate-list', 'node0[1-3]']);
    expect(code).toBe(1);
    expect(err).toBe('unknown: node03\n');
  });
});
