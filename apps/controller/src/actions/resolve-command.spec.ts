import type { CommandDefinition, LoadResult } from '@switchboard/commands';
import { ConditionFailure } from '@switchboard/condition-queue';
import { resolveCommand } from './resolve-command';

const usage = { name: 'usage' } as CommandDefinition;
const loaded: LoadResult = {
  commands: new Map([['usage', usage]]),
  problems: [
    {
      command: 'broken',
      file: '/srv/commands/broken/default.sh',
      message: 'not executable (chmod +x)',
    },
    {
      command: 'broken',
      file: '/srv/commands/broken/metadata.yaml',
      line: 4,
      message: 'unknown key "timout"',
    },
    { command: 'other', file: '/srv/commands/other', message: 'no default.sh' },
  ],
};
const source = { dir: '/srv/commands', current: () => loaded };

describe('finding the command an action names', () => {
  it('returns a loaded command', () => {
    expect(resolveCommand('usage', source)).toBe(usage);
  });

  it.each([
    [
      'no commands directory',
      'usage',
      undefined,
      'no commands directory configured (COMMANDS_DIR)',
    ],
    [
      'an unknown command',
      'nope',
      source,
      'unknown command nope: no such command in /srv/commands',
    ],
    [
      'a broken command, with each of its problems',
      'broken',
      source,
      'command broken is broken and was not loaded: /srv/commands/broken/default.sh: not ' +
        'executable (chmod +x); /srv/commands/broken/metadata.yaml:4: unknown key "timout"',
    ],
  ])('fails the condition for %s', (_case, name, from, message) => {
    expect(() => resolveCommand(name, from)).toThrow(new ConditionFailure(message));
  });
});
