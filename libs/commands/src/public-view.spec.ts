import path from 'node:path';

import { EXAMPLES_DIR, removeTempDirs, tempDir, writeCommand } from '../test/helpers';
import { loadCommands } from './load-commands';
import { confirmationFor, toPublicView } from './public-view';

afterEach(removeTempDirs);

describe('toPublicView: what GET /api/v1/commands shows', () => {
  it("shows each command's help, behaviour and ranks, and no script paths", () => {
    const view = toPublicView(loadCommands(EXAMPLES_DIR), EXAMPLES_DIR);

    expect(view.problems).toEqual([]);
    expect(view.commands.find((c) => c.name === 'power-off')).toEqual({
      name: 'power-off',
      summary: 'Power a node off',
      description: expect.stringContaining('Switches the node off'),
      syntax: 'NODE',
      has_context: true,
      confirmation: 'Power off %{nodes}? Whatever runs there stops at once.',
      timeout_seconds: 120,
      concurrent: false,
      ranks: ['aws', 'azure', 'default', 'ipmi'],
    });
    expect(JSON.stringify(view)).not.toContain(EXAMPLES_DIR);
  });

  it('leaves out what a command does not set', () => {
    const root = tempDir();
    writeCommand(root, 'plain');

    expect(toPublicView(loadCommands(root), root).commands).toEqual([
      {
        name: 'plain',
        summary: 'Say hello',
        description: 'Say hello',
        has_context: true,
        timeout_seconds: 300,
        concurrent: false,
        ranks: ['default'],
      },
    ]);
  });

  it('lists problems with the file relative to the commands directory', () => {
    const root = tempDir();
    writeCommand(root, 'broken', { metadata: 'help:\n  summary: s\ncolour: red\n' });
    writeCommand(root, 'bad name');

    expect(toPublicView(loadCommands(root), root).problems).toEqual([
      {
        command: 'bad name',
        file: 'bad name',
        message: expect.stringContaining('invalid command name'),
      },
      {
        command: 'broken',
        file: path.join('broken', 'metadata.yaml'),
        line: 3,
        message: expect.stringContaining('unknown key "colour"'),
      },
    ]);
  });
});

describe('confirmationFor', () => {
  it.each([
    ['power-off', 'node[01-04]', 'Power off node[01-04]? Whatever runs there stops at once.'],
    ['power-status', 'node01', undefined],
  ])('%s for %s: %p', (name, nodes, question) => {
    expect(confirmationFor(loadCommands(EXAMPLES_DIR).commands.get(name)!, nodes)).toBe(question);
  });
});
