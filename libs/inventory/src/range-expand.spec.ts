import {
  MAX_RANGE_SIZE,
  RangeExpressionError,
  countExpression,
  expandRange,
  generateNames,
} from './range-expand';

describe('expandRange', () => {
  describe('expands pdsh / ClusterShell ranges', () => {
    it.each<[string, string[]]>([
      ['node01', ['node01']],
      ['node[1-3]', ['node1', 'node2', 'node3']],
      ['node[01-03]', ['node01', 'node02', 'node03']],
      ['node[08-10]', ['node08', 'node09', 'node10']],
      ['n[1-10]', ['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9', 'n10']],
      ['node[1-3,7]', ['node1', 'node2', 'node3', 'node7']],
      ['node[7,1-2]', ['node7', 'node1', 'node2']],
      ['node[5]', ['node5']],
      ['node[05]', ['node05']],
      ['node[0-2]', ['node0', 'node1', 'node2']],
      ['node[098-101]', ['node098', 'node099', 'node100', 'node101']],
      ['rack1-n[001-003]', ['rack1-n001', 'rack1-n002', 'rack1-n003']],
      ['[1-2]', ['1', '2']],
      ['node[1-2]-ib', ['node1-ib', 'node2-ib']],
      ['node[1-2].cluster.local', ['node1.cluster.local', 'node2.cluster.local']],
      ['r[1-2]n[1-2]', ['r1n1', 'r1n2', 'r2n1', 'r2n2']],
      ['r[1-2]n[01-02]-bmc', ['r1n01-bmc', 'r1n02-bmc', 'r2n01-bmc', 'r2n02-bmc']],
      ['node[1-9/4]', ['node1', 'node5', 'node9']],
    ])('%s', (expr, expected) => {
      expect(expandRange(expr)).toEqual(expected);
    });
  });

  describe('joins comma-separated items at the top level', () => {
    it.each<[string, string[]]>([
      ['node01,node[03-04]', ['node01', 'node03', 'node04']],
      ['node01, node02', ['node01', 'node02']],
      ['login1,node[1-2],gpu[01-02]', ['login1', 'node1', 'node2', 'gpu01', 'gpu02']],
      // A set, as in ClusterShell: repeats are dropped, first position wins.
      ['node[1-3],node2,node[3-4]', ['node1', 'node2', 'node3', 'node4']],
      [
        '7c9e6679-7425-40de-944b-e07fc1f90ae7,node01',
        ['7c9e6679-7425-40de-944b-e07fc1f90ae7', 'node01'],
      ],
    ])('%s', (expr, expected) => {
      expect(expandRange(expr)).toEqual(expected);
    });
  });

  it('expands up to MAX_RANGE_SIZE names', () => {
    const names = expandRange('n[1-100000]');
    expect(names).toHaveLength(MAX_RANGE_SIZE);
    expect(names[99_999]).toBe('n100000');
  });

  describe('rejects bad expressions with an error naming the expression', () => {
    it.each<[string, string]>([
      ['node[5-1]', 'descending range 5-1'],
      ['node[1-3', "unclosed '['"],
      ['node1-3]', "unbalanced ']' at position 8"],
      ['node[1-[2]]', "nested '[' at position 8"],
      ['', 'the expression is empty'],
      ['   ', 'the expression is empty'],
      ['node1,,node2', 'empty item between commas'],
      ['node1,', 'empty item between commas'],
      ['node[]', "empty '[]'"],
      ['node[a-b]', '"a-b" is not a number or a range like 1-10'],
      ['node[1-]', '"1-" is not a number or a range like 1-10'],
      ['node[1-4/0]', 'step 0 in "1-4/0"'],
      ['node[1-100001]', 'expands to more than 100000 names'],
      ['n[1-1000]m[1-1000]', 'expands to more than 100000 names'],
      ['n[1-60000],m[1-60000]', 'expands to more than 100000 names'],
      ['node 1', 'unexpected whitespace in "node 1"'],
      ['node$1', `unexpected character '$' in "node$1"`],
      ['node[1-99999999999999999999]', 'number 99999999999999999999 is too large'],
      ['@rack1', 'group reference "@rack1" needs an inventory to resolve'],
      ['@', "'@' must be followed by a group name"],
      // The attack: a 4 KB padding width made 100,000 names of 4 KB each (400 MB).
      [
        `n[${'0'.repeat(4000)}1-100000]`,
        `"${'0'.repeat(40)}…" pads numbers to 4001 digits; at most 20`,
      ],
      [
        'n[000000000000000000001-2]',
        '"000000000000000000001-2" pads numbers to 21 digits; at most 20',
      ],
      [
        `${'a'.repeat(250)}[1-1000]`,
        `"${'a'.repeat(40)}…" makes names of 254 characters; at most 253`,
      ],
      [`${'a'.repeat(254)}`, `"${'a'.repeat(40)}…" makes names of 254 characters; at most 253`],
    ])('%j → %s', (expr, reason) => {
      const err = catchError(() => expandRange(expr));
      expect(err).toBeInstanceOf(RangeExpressionError);
      expect(err).toMatchObject({ expression: expr, reason });
      expect((err as Error).message).toBe(`invalid node range "${expr}": ${reason}`);
    });
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error');
}

describe('bounds on the work an expression asks for', () => {
  it('pads up to 20 digits and makes names up to 253 characters', () => {
    expect(expandRange('n[00000000000000000001-2]')).toEqual([
      'n00000000000000000001',
      'n00000000000000000002',
    ]);
    expect(expandRange(`${'a'.repeat(249)}[1-1000]`)).toHaveLength(1000);
  });

  it('refuses past a lower limit before making a single name', () => {
    const groups = jest.fn(() => ['x']);
    const names = generateNames('n[1-10],m[1-50001],@g', groups, { limit: 50_000 });
    expect(() => names.next()).toThrow('expands to more than 50000 names');
    expect(groups).not.toHaveBeenCalled();
  });

  it('counts the members of groups against the limit as they come', () => {
    const members = Array.from({ length: 20 }, (_, i) => `m${i}`);
    expect(() => [...generateNames('n[1-5],@big', () => members, { limit: 10 })]).toThrow(
      'expands to more than 10 names',
    );
  });

  it('never raises the limit above MAX_RANGE_SIZE', () => {
    expect(() => [...generateNames('n[1-100001]', () => [], { limit: 10 ** 9 })]).toThrow(
      `expands to more than ${MAX_RANGE_SIZE} names`,
    );
  });

  it('makes names only as they are asked for', () => {
    const names = generateNames('n[1-100000]', () => []);
    expect([names.next().value, names.next().value]).toEqual(['n1', 'n2']);
    names.return(undefined);
  });

  it('counts names without making them, duplicates included', () => {
    expect(countExpression('n[1-10],n[5-6],r[1-2]n[1-3],@g')).toBe(19);
  });
});
