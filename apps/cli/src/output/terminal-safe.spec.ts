import { ErrorResponse } from '@switchboard/condition-types';
import { run } from '../program';
import { FakeApi, fakeCommand } from '../test-support/fake-api';
import type { FakeServer } from '../test-support/fake-api';
import { memoryIo } from '../test-support/memory-io';
import type { MemoryIo } from '../test-support/memory-io';

/**
 * What a hostile script (or server) prints, and how mctl must show it: as visible escapes,
 * never as something the terminal acts on or as a line that seems to come from elsewhere.
 */
const ATTACKS: Array<[string, string, string]> = [
  ['a carriage return over the next prefix', 'ok\rnode02: forged', 'ok\\rnode02: forged'],
  ['an OSC title change', '\u001b]0;root@prod\u0007', '\\x1b]0;root@prod\\x07'],
  [
    'an OSC 52 clipboard write',
    '\u001b]52;c;cm0gLXJmIH4=\u001b\\',
    '\\x1b]52;c;cm0gLXJmIH4=\\x1b\\',
  ],
  ['a screen clear by C1 CSI', '\u009b2J\u009bH', '\\x9b2J\\x9bH'],
  ['a line separator', 'ok\u2028node02: forged', 'ok\\u2028node02: forged'],
  ['a bidi override', 'rm \u202efdp.exe', 'rm \\u202efdp.exe'],
];
const printed = ATTACKS.map(([, line]) => line);
const shown = ATTACKS.map(([, , escaped]) => escaped);

function fleet(node01: Partial<FakeServer>): FakeApi {
  const api = new FakeApi([
    { name: 'node01', ...node01 },
    { name: 'node02', output: [{ stream: 'stdout', line: 'fine' }] },
  ]);
  api.commands = [fakeCommand('hello')];
  return api;
}

const hostile = (stream: 'stdout' | 'stderr' = 'stdout') =>
  fleet({ output: printed.map((line) => ({ stream, line })) });

async function mctl(api: FakeApi, argv: string[], io: MemoryIo = memoryIo()) {
  io.fetch = api.fetch;
  const code = await run(argv, io);
  return { code, out: io.stdout.text(), err: io.stderr.text() };
}

/** A C0 control but line feed and tab, DEL, C1, a line separator or a bidi control. */
// eslint-disable-next-line no-control-regex
const RAW = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028-\u202e\u2066-\u2069]/;

describe('mctl shows what servers and scripts send escaped, unless --raw', () => {
  it('in live output, prefixed: every line keeps its own node', async () => {
    const { out } = await mctl(hostile(), ['run', 'hello', 'node[01-02]', '--stream']);
    expect(out).not.toMatch(RAW);
    expect(out.split('\n').filter((l) => l.startsWith('node01: '))).toEqual(
      shown.map((s) => `node01: ${s}`),
    );
    expect(out).toContain('node02: fine\n');
  });

  it('in live output on stderr', async () => {
    const { err } = await mctl(hostile('stderr'), ['run', 'hello', 'node[01-02]', '--stream']);
    expect(err).not.toMatch(RAW);
    for (const s of shown) expect(err).toContain(`node01: ${s}\n`);
  });

  it('in output of one node, unprefixed', async () => {
    const { out } = await mctl(hostile(), ['run', 'hello', 'node01']);
    expect(out).toBe(shown.map((s) => `${s}\n`).join(''));
  });

  it('in folded (dshbak) output', async () => {
    const { out } = await mctl(hostile(), ['run', 'hello', 'node[01-02]', '--fold']);
    expect(out).not.toMatch(RAW);
    expect(out).toContain(`node01\n----------------\n${shown.join('\n')}\n`);
  });

  it('in the error of a failed condition, line feeds included', async () => {
    const api = fleet({ fail: 'BMC says \u001b[2J\nnode02: on' });
    const { out } = await mctl(api, ['power', 'on', 'node[01-02]']);
    expect(out).not.toMatch(RAW);
    expect(out).toContain('failed: node01 (BMC says \\x1b[2J\\nnode02: on)\n');
  });

  it("in the API's error message and issues", async () => {
    const body: ErrorResponse = {
      statusCode: 400,
      code: 'invalid_request',
      error: 'Bad Request',
      message: 'bad \u001b]0;x\u0007 request\nmctl: all good',
      issues: [{ path: 'targets\u202e', message: 'no\u009b2J' }],
    };
    const io = memoryIo();
    io.fetch = () => Promise.resolve(Response.json(body, { status: 400 }));
    expect(await run(['power', 'on', 'node01'], io)).toBe(2);
    const err = io.stderr.text();
    expect(err).not.toMatch(RAW);
    expect(err).toContain('bad \\x1b]0;x\\x07 request\\nmctl: all good');
    expect(err).toContain('targets\\u202e: no\\x9b2J');
    expect(err.split('\n').filter((l) => l.startsWith('mctl: '))).toHaveLength(1);
  });

  it('in -o json: valid JSON that reads back as exactly what the script printed', async () => {
    const { out } = await mctl(hostile(), ['-o', 'json', 'run', 'hello', 'node[01-02]']);
    expect(out).not.toMatch(RAW);
    const rows = JSON.parse(out) as Array<{ server: string; output: string }>;
    expect(rows[0].output).toBe(printed.map((l) => `${l}\n`).join(''));
  });

  it('with --raw, writes it all as it came', async () => {
    const { out } = await mctl(hostile(), ['--raw', 'run', 'hello', 'node[01-02]', '--stream']);
    for (const line of printed) expect(out).toContain(`node01: ${line}\n`);
  });

  it("leaves ordinary text alone: tabs, accents, CJK, mctl's own line breaks", async () => {
    const api = fleet({ output: [{ stream: 'stdout', line: 'a\tb  ünïcödé 日本 🙂' }] });
    const { out } = await mctl(api, ['run', 'hello', 'node[01-02]', '--stream']);
    expect(out).toBe('node01: a\tb  ünïcödé 日本 🙂\nnode02: fine\n');
  });
});
