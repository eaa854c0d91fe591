import { UsageError } from '../errors';
import { splitRunWords } from './run-words';

describe('mctl run <command> words → nodes and arguments', () => {
  it.each([
    [
      'the first word names the nodes, the rest are arguments',
      ['node[01-03]', '-v', 'x'],
      false,
      { positional: 'node[01-03]', args: ['-v', 'x'] },
    ],
    ['a node alone', ['node01'], false, { positional: 'node01', args: [] }],
    [
      'with -g/--server every word is an argument (OpenFlight --group)',
      ['node01', 'x'],
      true,
      { args: ['node01', 'x'] },
    ],
    ['with -g and no words', [], true, { args: [] }],
  ])('%s', (_name, words, targetFlags, expected) => {
    expect(splitRunWords(words, { command: 'usage', targetFlags })).toEqual(expected);
  });

  it('refuses no nodes at all', () => {
    expect(() => splitRunWords([], { command: 'usage', targetFlags: false })).toThrow(
      new UsageError('which nodes? mctl run usage <node|range> [args...], or -g <group>'),
    );
  });
});
