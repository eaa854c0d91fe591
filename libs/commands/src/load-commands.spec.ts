import fs from 'node:fs';
import path from 'node:path';

import {
  CommandFiles,
  EXAMPLES_DIR,
  SUMMARY_ONLY,
  bash,
  removeTempDirs,
  tempDir,
  writeCommand,
} from '../test/helpers';
import { OUTSIDE_ROOT } from './inside-root';
import { loadCommands } from './load-commands';

afterEach(removeTempDirs);

describe('the example commands directory', () => {
  it('loads every command with no problems', () => {
    const { commands, problems } = loadCommands(EXAMPLES_DIR);

    expect(problems).toEqual([]);
    expect([...commands.keys()]).toEqual([
      'ipmi-sel',
      'power-cycle',
      'power-off',
      'power-on',
      'power-status',
      'usage',
    ]);
  });

  it.each([
    [
      'usage',
      { hasContext: true, timeoutMs: 30_000, concurrent: true, ranks: ['default', 'metal'] },
    ],
    ['ipmi-sel', { hasContext: true, timeoutMs: 60_000, concurrent: true, ranks: ['default'] }],
    [
      'power-on',
      {
        hasContext: true,
        timeoutMs: 120_000,
        concurrent: false,
        ranks: ['aws', 'azure', 'default', 'ipmi'],
      },
    ],
  ])('%s: reads its metadata and finds its scripts by rank', (name, expected) => {
    const command = loadCommands(EXAMPLES_DIR).commands.get(name)!;

    expect({
      hasContext: command.hasContext,
      timeoutMs: command.timeoutMs,
      concurrent: command.concurrent,
      ranks: [...command.scripts.keys()].sort(),
    }).toEqual(expected);
    expect(command.dir).toBe(path.join(EXAMPLES_DIR, name));
    expect(command.scripts.get('default')).toBe(path.join(EXAMPLES_DIR, name, 'default.sh'));
  });

  it('keeps the confirmation question of the commands that ask one', () => {
    const { commands } = loadCommands(EXAMPLES_DIR);

    expect(commands.get('power-off')!.confirmation).toBe(
      'Power off %{nodes}? Whatever runs there stops at once.',
    );
    expect(commands.get('power-status')!.confirmation).toBeUndefined();
  });
});

describe('defaults', () => {
  it(
    'a summary alone: described by its summary, runs per node, 5 minutes, under the server ' +
      'claim',
    () => {
      const root = tempDir();
      writeCommand(root, 'hello');

      const command = loadCommands(root).commands.get('hello')!;

      expect(command).toEqual({
        name: 'hello',
        dir: path.join(root, 'hello'),
        summary: 'Say hello',
        description: 'Say hello',
        hasContext: true,
        timeoutMs: 300_000,
        concurrent: false,
        scripts: new Map([['default', path.join(root, 'hello', 'default.sh')]]),
      });
    },
  );

  it.each([
    [
      'has_context: false runs once, with no node',
      'help:\n  summary: s\n  has_context: false\n',
      { hasContext: false },
    ],
    [
      'an empty description reads as not given: the summary',
      'help:\n  summary: s\n  description:\n  syntax:\n',
      { description: 's' },
    ],
    ['timeout in seconds', 'help: { summary: s }\ntimeout: 45\n', { timeoutMs: 45_000 }],
    ['timeout as a duration', 'help: { summary: s }\ntimeout: 1h30m\n', { timeoutMs: 5_400_000 }],
    ['concurrent: true', 'help: { summary: s }\nconcurrent: true\n', { concurrent: true }],
  ])('%s', (_case, metadata, expected) => {
    const root = tempDir();
    writeCommand(root, 'c', { metadata });

    expect(loadCommands(root).commands.get('c')).toMatchObject(expected);
  });

  it('a rank script may have no extension, and `default` may be `default`', () => {
    const root = tempDir();
    writeCommand(root, 'c', {
      files: {
        default: bash('exit 0'),
        aws: bash('exit 0'),
        'metal.py': '#!/usr/bin/env python3\n',
      },
    });

    expect([...loadCommands(root).commands.get('c')!.scripts.keys()].sort()).toEqual([
      'aws',
      'default',
      'metal',
    ]);
  });
});

describe('a broken command is reported, naming its file, and does not hide the good ones', () => {
  const cases: Array<[string, CommandFiles, { file: string; line?: number; message: string }]> = [
    [
      'a script that is not executable',
      { files: { 'default.sh': bash('exit 0'), 'aws.sh': { text: bash('exit 0'), mode: 0o644 } } },
      { file: 'broken/aws.sh', message: 'is not executable (chmod +x aws.sh)' },
    ],
    [
      'no default script',
      { files: { 'aws.sh': bash('exit 0') } },
      {
        file: 'broken/default.sh',
        message: expect.stringContaining(
          'missing: every command needs a default.sh (or default) script',
        ),
      },
    ],
    [
      'a default script that is not executable (reported once)',
      { files: { 'default.sh': { text: bash('exit 0'), mode: 0o600 } } },
      { file: 'broken/default.sh', message: 'is not executable (chmod +x default.sh)' },
    ],
    [
      'a script without a #! line',
      { files: { 'default.sh': 'echo hi\n' } },
      {
        file: 'broken/default.sh',
        message:
          'does not start with a #! line naming its interpreter (for example #!/usr/bin/env bash)',
      },
    ],
    [
      'two scripts for one rank',
      { files: { 'default.sh': bash('exit 0'), aws: bash('exit 0'), 'aws.sh': bash('exit 0') } },
      { file: 'broken/aws.sh', message: 'rank "aws" has two scripts, aws and aws.sh; keep one' },
    ],
    [
      'no metadata.yaml',
      { metadata: null },
      {
        file: 'broken/metadata.yaml',
        message: 'missing: every command needs a metadata.yaml with at least help.summary',
      },
    ],
    [
      'an empty metadata.yaml',
      { metadata: '' },
      {
        file: 'broken/metadata.yaml',
        message: 'the file is empty; it needs at least help.summary',
      },
    ],
    [
      'no help section',
      { metadata: 'timeout: 5m\n' },
      {
        file: 'broken/metadata.yaml',
        line: 1,
        message: 'help (with at least help.summary) is required',
      },
    ],
    [
      'no summary',
      { metadata: '# a command\nhelp:\n  description: Does things\n' },
      { file: 'broken/metadata.yaml', line: 3, message: 'help.summary is required' },
    ],
    [
      'an empty summary',
      { metadata: 'help:\n  summary: "  "\n' },
      { file: 'broken/metadata.yaml', line: 2, message: 'help.summary: must not be empty' },
    ],
    [
      'a summary that is not text',
      { metadata: 'help:\n  summary: [a, b]\n' },
      { file: 'broken/metadata.yaml', line: 2, message: 'help.summary: expected text, got a list' },
    ],
    [
      'has_context that is not a boolean',
      { metadata: 'help:\n  summary: s\n  has_context: "yes"\n' },
      {
        file: 'broken/metadata.yaml',
        line: 3,
        message: 'help.has_context: expected true or false, got text ("yes")',
      },
    ],
    [
      'a timeout that is no duration',
      { metadata: 'help: { summary: s }\ntimeout: soon\n' },
      {
        file: 'broken/metadata.yaml',
        line: 2,
        message: 'timeout: expected seconds or a duration like 90s, 5m or 1h30m, got "soon"',
      },
    ],
    [
      'a concurrent flag that is not a boolean',
      { metadata: 'help: { summary: s }\nconcurrent: 1\n' },
      {
        file: 'broken/metadata.yaml',
        line: 2,
        message: 'concurrent: expected true or false, got a number (1)',
      },
    ],
    [
      'an unknown top-level key',
      { metadata: 'help:\n  summary: s\ncolour: red\n' },
      {
        file: 'broken/metadata.yaml',
        line: 3,
        message: 'unknown key "colour" (known: help, confirmation, timeout, concurrent)',
      },
    ],
    [
      'a misspelt help key',
      { metadata: 'help:\n  summary: s\n  has_contex: false\n' },
      {
        file: 'broken/metadata.yaml',
        line: 3,
        message: 'unknown key "help.has_contex" (known: summary, description, syntax, has_context)',
      },
    ],
    [
      'an unknown placeholder in the confirmation',
      { metadata: 'help: { summary: s }\nconfirmation: "Really, %{node}?"\n' },
      {
        file: 'broken/metadata.yaml',
        line: 2,
        message: 'confirmation: unknown placeholder %{node}; the only one is %{nodes}',
      },
    ],
    [
      'YAML that does not parse',
      { metadata: 'help:\n  summary: s\n  summary: t\n' },
      { file: 'broken/metadata.yaml', line: 3, message: 'invalid YAML: Map keys must be unique' },
    ],
  ];

  it.each(cases)('%s', (_case, spec, problem) => {
    const root = tempDir();
    writeCommand(root, 'good');
    writeCommand(root, 'broken', spec);

    const { commands, problems } = loadCommands(root);

    expect(problems).toEqual([
      { command: 'broken', ...problem, file: path.join(root, problem.file) },
    ]);
    expect([...commands.keys()]).toEqual(['good']);
  });

  it.each(['-dash-first', 'with space', 'ünï'])('a command named %p', (name) => {
    const root = tempDir();
    writeCommand(root, 'good');
    writeCommand(root, name);

    const { commands, problems } = loadCommands(root);

    expect(problems).toEqual([
      {
        command: name,
        file: path.join(root, name),
        message:
          'invalid command name: use letters, digits, ".", "_" and "-", starting with a ' +
          'letter or digit',
      },
    ]);
    expect([...commands.keys()]).toEqual(['good']);
  });

  it('reports every problem of a command at once, each at its line', () => {
    const root = tempDir();
    writeCommand(root, 'c', {
      metadata: 'help:\n  summary: 7\n  syntax: [x]\ntimeout: -5\nextra: 1\n',
      files: { 'aws.sh': { text: bash('exit 0'), mode: 0o644 } },
    });

    const problems = loadCommands(root).problems.map(
      ({ file, line, message }) => `${path.basename(file)}:${line ?? '-'} ${message}`,
    );

    expect(problems).toEqual([
      'metadata.yaml:2 help.summary: expected text, got a number (7)',
      'metadata.yaml:3 help.syntax: expected text, got a list',
      'metadata.yaml:4 timeout: must be longer than zero, got -5',
      'metadata.yaml:5 unknown key "extra" (known: help, confirmation, timeout, concurrent)',
      'aws.sh:- is not executable (chmod +x aws.sh)',
      'default.sh:- missing: every command needs a default.sh (or default) script, run ' +
        'on nodes none of whose ranks has a script',
    ]);
  });
});

describe('what is not a command, or not a script', () => {
  it(
    'passes over hidden entries and plain files at the top, and notes and sub-directories ' +
      'inside a command',
    () => {
      const root = tempDir();
      writeCommand(root, 'good', {
        files: {
          'default.sh': bash('exit 0'),
          'README.md': 'notes',
          '.swp': 'x',
          'NOTES.txt': 'x',
        },
      });
      fs.mkdirSync(path.join(root, 'good', 'lib'));
      fs.writeFileSync(path.join(root, 'good', 'lib', 'common.sh'), 'helpers, not executable');
      fs.mkdirSync(path.join(root, '.git'));
      fs.writeFileSync(path.join(root, 'README.md'), 'about these commands');

      const { commands, problems } = loadCommands(root);

      expect(problems).toEqual([]);
      expect([...commands.keys()]).toEqual(['good']);
      expect([...commands.get('good')!.scripts.keys()]).toEqual(['default']);
    },
  );

  it('follows a symbolic link to a command kept elsewhere in the directory', () => {
    const root = tempDir();
    writeCommand(path.join(root, '.store'), 'linked', { metadata: SUMMARY_ONLY });
    fs.symlinkSync(path.join(root, '.store', 'linked'), path.join(root, 'linked'));

    expect([...loadCommands(root).commands.keys()]).toEqual(['linked']);
  });

  describe('symbolic links out of the directory are refused (issue 11)', () => {
    it('a script linked to /usr/bin/env does not become a command', () => {
      const root = tempDir();
      const dir = writeCommand(root, 'envdump', { files: {} });
      fs.symlinkSync('/usr/bin/env', path.join(dir, 'default'));

      const { commands, problems } = loadCommands(root);

      expect(commands.has('envdump')).toBe(false);
      expect(problems).toContainEqual({
        command: 'envdump',
        file: path.join(dir, 'default'),
        message: OUTSIDE_ROOT,
      });
    });

    it('a linked directory is refused without listing the names of the files in it', () => {
      const root = tempDir();
      const elsewhere = tempDir();
      writeCommand(elsewhere, 'secret-stuff', {
        metadata: null,
        files: { 'private-file-name.sh': bash('exit 0') },
      });
      fs.symlinkSync(path.join(elsewhere, 'secret-stuff'), path.join(root, 'linked'));

      const { commands, problems } = loadCommands(root);

      expect(commands.size).toBe(0);
      expect(problems).toEqual([
        { command: 'linked', file: path.join(root, 'linked'), message: OUTSIDE_ROOT },
      ]);
      expect(JSON.stringify(problems)).not.toContain('private-file-name');
    });

    it('a metadata.yaml linked to a file outside is not read', () => {
      const root = tempDir();
      const dir = writeCommand(root, 'peek', { metadata: null });
      fs.symlinkSync('/etc/passwd', path.join(dir, 'metadata.yaml'));

      const { problems } = loadCommands(root);

      expect(problems).toEqual([
        { command: 'peek', file: path.join(dir, 'metadata.yaml'), message: OUTSIDE_ROOT },
      ]);
    });
  });

  it('throws, naming the directory, when the commands directory cannot be read', () => {
    const missing = path.join(tempDir(), 'nowhere');

    expect(() => loadCommands(missing)).toThrow(
      `commands directory ${missing}: cannot be read (ENOENT)`,
    );
  });
});
