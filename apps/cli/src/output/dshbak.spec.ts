import { foldOutputs } from './dshbak';
import type { NodeOutput } from './dshbak';

const block = (nodes: string, ...lines: string[]) =>
  ['----------------', nodes, '----------------', ...lines].map((l) => `${l}\n`).join('');
const out = (server: string, ...lines: string[]): NodeOutput => ({ server, lines });

describe('foldOutputs (dshbak -c)', () => {
  it.each([
    [
      'identical output of many nodes shares one block',
      [out('node01', 'hi'), out('node02', 'hi'), out('node03', 'hi')],
      block('node[01-03]', 'hi'),
    ],
    ['one node still gets its header', [out('node01', 'a', 'b')], block('node01', 'a', 'b')],
    [
      'different outputs get their own blocks, ordered by first node',
      [out('node03', 'load 2'), out('node01', 'load 1'), out('node02', 'load 2')],
      block('node01', 'load 1') + block('node[02-03]', 'load 2'),
    ],
    [
      'members of a block need not be contiguous',
      [out('node01', 'x'), out('node02', 'y'), out('node03', 'x')],
      block('node[01,03]', 'x') + block('node02', 'y'),
    ],
    [
      'natural order: node2 before node10',
      [out('node10', 'b'), out('node2', 'a')],
      block('node2', 'a') + block('node10', 'b'),
    ],
    [
      'every line must match, in order',
      [out('n1', 'a', 'b'), out('n2', 'b', 'a'), out('n3', 'a')],
      block('n1', 'a', 'b') + block('n2', 'b', 'a') + block('n3', 'a'),
    ],
    ['whitespace counts', [out('n1', 'a '), out('n2', 'a')], block('n1', 'a ') + block('n2', 'a')],
    [
      'empty lines count',
      [out('n1', 'a', ''), out('n2', 'a')],
      block('n1', 'a', '') + block('n2', 'a'),
    ],
    [
      'a node that printed nothing gets no block',
      [out('node01', 'hi'), out('node02'), out('node03', 'hi')],
      block('node[01,03]', 'hi'),
    ],
    ['nothing printed at all is nothing', [out('node01'), out('node02')], ''],
    ['no nodes is nothing', [], ''],
  ])('%s', (_name, outputs, expected) => {
    expect(foldOutputs(outputs)).toBe(expected);
  });
});
