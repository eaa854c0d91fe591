import fs from 'node:fs';
import path from 'node:path';

import { ENV, groupExists, isRunning, pidsIn, tempDir } from '../test/helpers';
import { runProcess } from './run-process';

const bash = (script: string, extra: Partial<Parameters<typeof runProcess>[0]> = {}) =>
  runProcess({ file: 'bash', args: ['-c', script], env: ENV, ...extra });

let dir: string;
beforeEach(() => {
  dir = tempDir();
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('runProcess: how a run ends', () => {
  it.each([
    ['exit 0', { exitCode: 0, signal: null }],
    ['exit 7', { exitCode: 7, signal: null }],
    ['kill -TERM $$', { exitCode: null, signal: 'SIGTERM' }],
  ])('%s', async (script, expected) => {
    await expect(bash(script)).resolves.toMatchObject({
      ...expected,
      timedOut: false,
      cancelled: false,
      leftovers: false,
      groupEnded: true,
    });
  });

  it('rejects when the executable cannot start, with its errno code', async () => {
    await expect(runProcess({ file: '/nonexistent/tool', env: ENV })).rejects.toMatchObject({
      code: 'ENOENT',
    });
  });

  it('gives the process exactly the environment it was given, nothing of ours', async () => {
    const result = await runProcess({
      file: '/usr/bin/env',
      env: { ONLY: 'this', PATH: '/nowhere' },
    });
    expect(result.stdout.trim().split('\n').sort()).toEqual(['ONLY=this', 'PATH=/nowhere']);
  });

  it('runs in its own process group and session, with stdin closed', async () => {
    const result = await bash('ps -o pid=,pgid=,sid= -p $$; read -r line; echo "read: $?"');
    const [pid, pgid, sid] = result.stdout.split('\n')[0].trim().split(/\s+/).map(Number);
    expect(pgid).toBe(pid);
    expect(sid).toBe(pid);
    expect(result.stdout).toContain('read: 1');
  });
});

describe('runProcess: output', () => {
  it('passes each line as it comes, in order per stream, and keeps both streams', async () => {
    const lines: string[] = [];
    const result = await bash('echo one; echo err >&2; printf "two\\nlast"', {
      onLine: (stream, line) => lines.push(`${stream}:${line}`),
    });
    expect(lines.filter((l) => l.startsWith('stdout'))).toEqual([
      'stdout:one',
      'stdout:two',
      'stdout:last',
    ]);
    expect(lines).toContain('stderr:err');
    expect(result).toMatchObject({ stdout: 'one\ntwo\nlast', stderr: 'err\n' });
  });

  it('keeps the end of a stream that prints too much, and counts what was cut', async () => {
    const result = await bash('seq 1 10000', { maxOutputBytes: 100 });
    expect(result.stdout.endsWith('9999\n10000\n')).toBe(true);
    expect(Buffer.byteLength(result.stdout)).toBeLessThanOrEqual(100);
    expect(result.droppedBytes.stdout).toBeGreaterThan(48_000);
    expect(result.overflowed).toBe(false);
  });

  it('with stopOnOverflow, stops a flood instead of reading it to its end', async () => {
    const t0 = Date.now();
    const result = await bash('yes flood', {
      maxOutputBytes: 64 * 1024,
      stopOnOverflow: true,
      kill: { graceMs: 0 },
    });
    expect(result).toMatchObject({ overflowed: true, groupEnded: true });
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});

describe('runProcess: stopping the whole group', () => {
  const script = (file: string) =>
    `sleep 1000 & echo $! >> "${file}"; (trap "" TERM; sleep 1000) & echo $! >> "${file}"; wait`;

  it('at the timeout: SIGTERM, then SIGKILL for what ignores it; nothing is left', async () => {
    const file = path.join(dir, 'pids');
    const t0 = Date.now();
    const run = bash(script(file), { timeoutMs: 500, kill: { graceMs: 300 } });
    const pids = await pidsIn(file, 2);
    const result = await run;
    expect(result).toMatchObject({ timedOut: true, cancelled: false, groupEnded: true });
    expect(result.signal).toBe('SIGTERM');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
  });

  it('on cancel, with graceMs 0: SIGKILL at once, and the result says cancelled', async () => {
    const file = path.join(dir, 'pids');
    const abort = new AbortController();
    const run = bash(script(file), { signal: abort.signal, kill: { graceMs: 0 } });
    const pids = await pidsIn(file, 2);
    abort.abort(new Error('enough'));
    const result = await run;
    expect(result).toMatchObject({ cancelled: true, timedOut: false, signal: 'SIGKILL' });
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
  });

  it('starts nothing when the signal is already aborted', async () => {
    const abort = new AbortController();
    abort.abort();
    const file = path.join(dir, 'ran');
    const result = await bash(`touch "${file}"`, { signal: abort.signal });
    expect(result).toMatchObject({ cancelled: true, exitCode: null, durationMs: 0 });
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('runProcess: processes the leader leaves behind', () => {
  it.each([
    ['holding the output open: killed after outputGraceMs', 'sleep 1000 &', 300],
    ['with the output closed: killed at once', 'sleep 1000 >/dev/null 2>&1 &', 0],
  ])('%s', async (_case, leave, atLeastMs) => {
    const file = path.join(dir, 'pid');
    const t0 = Date.now();
    const result = await bash(`${leave} echo $! > "${file}"; exit 4`, {
      kill: { graceMs: 300 },
    });
    const [pid] = await pidsIn(file, 1);
    expect(result).toMatchObject({ exitCode: 4, leftovers: true, timedOut: false });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(atLeastMs);
    expect(isRunning(pid)).toBe(false);
  });

  it(
    'with outputGraceMs Infinity, waits for the output until the timeout, keeping the exit ' +
      'status',
    async () => {
      const t0 = Date.now();
      const result = await bash('sleep 1000 & exit 111', {
        timeoutMs: 700,
        kill: { graceMs: 0 },
        outputGraceMs: Infinity,
      });
      expect(result).toMatchObject({ exitCode: 111, timedOut: false, leftovers: true });
      expect(Date.now() - t0).toBeGreaterThanOrEqual(650);
    },
  );

  it('64 concurrent runs, each group ended when its run is', async () => {
    const results = await Promise.all(
      Array.from({ length: 64 }, (_, i) => bash(`sleep 0.$((RANDOM % 3)); echo ${i}; echo $$`)),
    );
    results.forEach((result, i) => {
      const [n, pgid] = result.stdout.trim().split('\n');
      expect(n).toBe(String(i));
      expect(groupExists(Number(pgid))).toBe(false);
    });
  });
});
