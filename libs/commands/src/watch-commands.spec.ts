import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

import {
  bash,
  capturingLogger,
  removeTempDirs,
  tempDir,
  waitFor,
  writeCommand,
} from '../test/helpers';
import type { LoadResult } from './types';
import { CommandsWatch, watchCommands } from './watch-commands';

let watch: CommandsWatch | undefined;

afterEach(async () => {
  await watch?.close();
  watch = undefined;
  removeTempDirs();
});

function names(result: LoadResult): string[] {
  return [...result.commands.keys()];
}

describe('watchCommands', () => {
  it('loads at once, and a command added later appears', async () => {
    const root = tempDir();
    writeCommand(root, 'first');
    const changes: Array<[string[], string[]]> = [];
    watch = watchCommands(root, {
      debounceMs: 50,
      onChange: (next, previous) => changes.push([names(next), names(previous)]),
    });
    await watch.ready;

    expect(names(watch.current())).toEqual(['first']);
    writeCommand(root, 'second');

    await waitFor(() => names(watch!.current()).includes('second'), 5000, 'second command loaded');
    expect(changes.at(-1)).toEqual([['first', 'second'], ['first']]);
  });

  it(
    'breaking a command reports it as a problem, logged as a structured warning, and keeps ' +
      'the others',
    async () => {
      const root = tempDir();
      writeCommand(root, 'good');
      writeCommand(root, 'fragile');
      const { logger, events } = capturingLogger();
      watch = watchCommands(root, { debounceMs: 50, logger });
      await watch.ready;

      fs.writeFileSync(
        path.join(root, 'fragile', 'metadata.yaml'),
        'help:\n  summary: s\n  has_contex: false\n',
      );

      await waitFor(() => watch!.current().problems.length > 0, 5000, 'problem reported');
      const file = path.join(root, 'fragile', 'metadata.yaml');
      const message =
        'unknown key "help.has_contex" (known: summary, description, syntax, has_context)';
      expect(watch.current().problems).toEqual([{ command: 'fragile', file, line: 3, message }]);
      expect(names(watch.current())).toEqual(['good']);
      expect(events()).toContainEqual(
        expect.objectContaining({
          level: 40,
          msg: 'command not loaded',
          command: 'fragile',
          file,
          line: 3,
          problem: message,
        }),
      );
    },
  );

  it('notices a script changed deeper in the tree, and a fix clears the problem', async () => {
    const root = tempDir();
    writeCommand(root, 'c', { files: { 'default.sh': 'no shebang\n' } });
    watch = watchCommands(root, { debounceMs: 50 });
    await watch.ready;
    expect(watch.current().problems).toHaveLength(1);

    fs.writeFileSync(path.join(root, 'c', 'default.sh'), bash('exit 0'));

    await waitFor(() => watch!.current().problems.length === 0, 5000, 'problem cleared');
    expect(names(watch.current())).toEqual(['c']);
  });

  it('notices a mode change alone: chmod -x breaks a command, chmod +x mends it', async () => {
    const root = tempDir();
    writeCommand(root, 'c');
    const script = path.join(root, 'c', 'default.sh');
    watch = watchCommands(root, { debounceMs: 50 });
    await watch.ready;

    fs.chmodSync(script, 0o644);
    await waitFor(() => watch!.current().problems.length === 1, 5000, 'problem reported');
    expect(watch.current().problems[0]).toMatchObject({
      file: script,
      message: 'is not executable (chmod +x default.sh)',
    });

    fs.chmodSync(script, 0o755);
    await waitFor(() => watch!.current().commands.has('c'), 5000, 'command back');
  });

  it('does not reload by itself: its own reads and runs of the scripts are no change', async () => {
    const root = tempDir();
    writeCommand(root, 'c');
    const { logger, events } = capturingLogger();
    watch = watchCommands(root, { debounceMs: 50, logger });
    await watch.ready;

    fs.writeFileSync(path.join(root, 'c', 'metadata.yaml'), 'help:\n  summary: changed\n');
    await waitFor(
      () => watch!.current().commands.get('c')?.summary === 'changed',
      5000,
      'reloaded',
    );
    execFileSync(path.join(root, 'c', 'default.sh'));
    await new Promise((resolve) => setTimeout(resolve, 500));

    expect(events().filter((e) => e.msg === 'commands reloaded')).toHaveLength(1);
  });

  it('keeps the last result, with a warning, when the directory itself goes away', async () => {
    const parent = tempDir();
    const root = path.join(parent, 'commands');
    writeCommand(root, 'c');
    const { logger, events } = capturingLogger();
    watch = watchCommands(root, { debounceMs: 50, logger });
    await watch.ready;

    fs.rmSync(root, { recursive: true });

    await waitFor(
      () => events().some((e) => e.msg === 'commands reload failed; keeping the last commands'),
      5000,
      'warning logged',
    );
    expect(names(watch.current())).toEqual(['c']);
  });

  it('throws at start when the directory cannot be read', () => {
    expect(() => watchCommands(path.join(tempDir(), 'missing'))).toThrow(
      /commands directory .*missing: cannot be read \(ENOENT\)/,
    );
  });
});
