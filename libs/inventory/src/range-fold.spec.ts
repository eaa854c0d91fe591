import { compareNatural } from './natural-compare';
import { expandRange } from './range-expand';
import { foldNames } from './range-fold';

describe('foldNames', () => {
  it.each<[string[], string]>([
    [['node01', 'node02', 'node03', 'node05', 'node09'], 'node[01-03,05,09]'],
    [['node01'], 'node01'],
    [[], ''],
    [['node3', 'node1', 'node2'], 'node[1-3]'],
    [['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9', 'n10'], 'n[1-10]'],
    [['node08', 'node09', 'node10'], 'node[08-10]'],
    [['node098', 'node099', 'node100'], 'node[098-100]'],
    [['node1', 'node01'], 'node[1,01]'],
    [['node1', 'node01', 'node2', 'node02'], 'node[1-2,01-02]'],
    [['node8', 'node09'], 'node[8,09]'],
    [['node1', 'node1', 'node2'], 'node[1-2]'],
    [['login', 'node1', 'node2'], 'login,node[1-2]'],
    [['node2', 'gpu1', 'gpu2', 'node1'], 'gpu[1-2],node[1-2]'],
    [['node1-ib', 'node2-ib', 'node1'], 'node1,node[1-2]-ib'],
    [['rack1-n001', 'rack1-n002', 'rack1-n128'], 'rack1-n[001-002,128]'],
    [['r1n1', 'r1n2', 'r2n1', 'r2n2'], 'r[1-2]n[1-2]'],
    [['r1n5', 'r2n5'], 'r[1-2]n5'],
    [['r1n1', 'r1n2', 'r2n1'], 'r1n[1-2],r2n1'],
    [['node10', 'node2', 'node1'], 'node[1-2,10]'],
  ])('%j → %s', (names, expected) => {
    expect(foldNames(names)).toBe(expected);
  });

  describe('round-trips with expandRange', () => {
    it.each([
      'node[01-03,05,09]',
      'n[1-10]',
      'node[08-10]',
      'rack1-n[001-128]',
      'r[1-2]n[1-2]',
      'r[1-3]n[01-04]-bmc',
      'login,node[1-2,10]',
      'gpu[1-2],node[1-2]',
      'node[1,01]',
    ])('%s', (expr) => {
      expect(foldNames(expandRange(expr))).toBe(expr);
    });

    it.each<[string, string[]]>([
      [
        'mixed padding and prefixes',
        ['n1', 'n01', 'n002', 'n3', 'x', 'x1y', 'x2y', 'node9', 'node10', 'node011'],
      ],
      ['a shuffled rack', ['c1-07', 'c1-01', 'c2-01', 'c1-03', 'c1-02', 'c2-02', 'c2-03', 'c1-09']],
    ])('expands back to the same set: %s', (_label, names) => {
      expect(expandRange(foldNames(names)).sort(compareNatural)).toEqual(
        [...new Set(names)].sort(compareNatural),
      );
    });
  });
});

describe('compareNatural', () => {
  it('orders numbers by value, then less padding first', () => {
    expect(['node10', 'node2', 'node01', 'node1', 'gpu1'].sort(compareNatural)).toEqual([
      'gpu1',
      'node1',
      'node01',
      'node2',
      'node10',
    ]);
  });

  it('compares numbers too long for a double', () => {
    expect(compareNatural('sn99999999999999999998', 'sn99999999999999999999')).toBeLessThan(0);
  });
});
