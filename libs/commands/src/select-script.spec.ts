import { selectScript } from './select-script';
import type { CommandDefinition } from './types';

/** A command with scripts for these ranks (and `default`), at /c/<rank>.sh. */
function commandWith(...ranks: string[]): CommandDefinition {
  const scripts = new Map(['default', ...ranks].map((rank) => [rank, `/c/${rank}.sh`]));
  return {
    name: 'c',
    dir: '/c',
    summary: 's',
    description: 's',
    hasContext: true,
    timeoutMs: 1000,
    concurrent: false,
    scripts,
  };
}

describe(
  "selectScript: the first of the node's ranks, in the node's order, that has a script; " +
    'else default',
  () => {
    it.each([
      // [command ranks, node ranks, chosen]
      [['aws', 'metal'], ['metal', 'aws', 'default'], 'metal'],
      [['aws', 'metal'], ['aws', 'metal', 'default'], 'aws'],
      [['aws'], ['gpu', 'aws', 'default'], 'aws'],
      [['aws'], ['gpu', 'rack1', 'default'], 'default'],
      [['aws'], ['default', 'aws'], 'default'],
      [['aws'], ['gpu'], 'default'],
      [['aws'], [], 'default'],
      [[], ['aws', 'default'], 'default'],
    ])('command with %j, node with ranks %j: %s', (commandRanks, nodeRanks, chosen) => {
      expect(selectScript(commandWith(...commandRanks), nodeRanks)).toEqual({
        rank: chosen,
        path: `/c/${chosen}.sh`,
      });
    });

    it('a node with no ranks at all runs default', () => {
      expect(selectScript(commandWith('aws'))).toEqual({ rank: 'default', path: '/c/default.sh' });
    });

    it('ranks match exactly: case counts', () => {
      expect(selectScript(commandWith('aws'), ['AWS']).rank).toBe('default');
    });

    it('a command built without a default script is refused, by name', () => {
      const command = { ...commandWith('aws'), scripts: new Map([['aws', '/c/aws.sh']]) };

      expect(() => selectScript(command, ['metal'])).toThrow(
        'command c (/c): has no default script',
      );
    });
  },
);
