import { serverUuid } from '@switchboard/inventory';
import type { PublicServer } from '@switchboard/inventory';
import { UsageError } from './errors';
import { isSingleServer, resolveAgainst, splitItems, targetExpression } from './targets';

describe('targetExpression', () => {
  it.each([
    [{ positional: 'node01' }, 'node01'],
    [{ server: 'node[01-64]' }, 'node[01-64]'],
    [{ groups: ['rack2'] }, '@rack2'],
    [{ groups: ['@rack2'] }, '@rack2'],
    [{ groups: ['rack1,gpu'] }, '@rack1,@gpu'],
    [{ groups: ['rack1', 'gpu'] }, '@rack1,@gpu'],
    [{ positional: 'node01', server: 'node02', groups: ['gpu'] }, 'node01,node02,@gpu'],
    [{ positional: ' node01 ' }, 'node01'],
  ])('%j → %s', (inputs, expected) => {
    expect(targetExpression(inputs)).toBe(expected);
  });

  it.each([
    [{}, /which servers\?/],
    [{ positional: '' }, /which servers\?/],
    [{ positional: 'node[01-' }, /invalid node range "node\[01-": unclosed '\['/],
    [{ server: 'node[5-1]' }, /descending range/],
    [{ groups: ['rack1,'] }, /empty group name/],
    [{ positional: 'node 01' }, /whitespace/],
  ])('refuses %j', (inputs, message) => {
    expect(() => targetExpression(inputs)).toThrow(UsageError);
    expect(() => targetExpression(inputs)).toThrow(message);
  });
});

describe('isSingleServer', () => {
  it.each([
    ['node01', true],
    ['7c9e6679-7425-40de-944b-e07fc1f90ae7', true],
    ['node[01-02]', false],
    ['node[01]', false],
    ['node01,node02', false],
    ['@rack2', false],
  ])('%s → %s', (expr, single) => {
    expect(isSingleServer(expr)).toBe(single);
  });
});

describe('splitItems', () => {
  it('splits only at top-level commas', () => {
    expect(splitItems('node[01,03],@gpu, login1')).toEqual(['node[01,03]', '@gpu', 'login1']);
  });
});

describe('resolveAgainst (client-side, from GET /servers)', () => {
  const servers: PublicServer[] = [
    {
      name: 'node01',
      id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      uuid: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      driver: 'ipmi',
      ranks: [],
      groups: ['rack1', 'all'],
    },
    {
      name: 'node02',
      uuid: serverUuid({ name: 'node02' }),
      driver: 'ipmi',
      ranks: [],
      groups: ['rack1', 'all'],
    },
    {
      name: 'node03',
      uuid: serverUuid({ name: 'node03' }),
      driver: 'ipmi',
      ranks: [],
      groups: ['rack2', 'all'],
    },
  ];
  it.each([
    ['node[01-02]', ['node01', 'node02'], []],
    ['@rack2,node01', ['node03', 'node01'], []],
    ['@rack[1-2]', ['node01', 'node02', 'node03'], []],
    ['7C9E6679-7425-40DE-944B-E07FC1F90AE7', ['node01'], []],
    ['node0[3-4],@nope', ['node03'], ['node04', '@nope']],
  ])('%s → %j, unknown %j', (expr, names, unknown) => {
    expect(resolveAgainst(expr, servers)).toEqual({ names, unknown });
  });
});
