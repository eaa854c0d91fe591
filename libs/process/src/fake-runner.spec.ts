import { FakeRunner } from './fake-runner';

describe('FakeRunner: a runner that starts nothing', () => {
  it('records each call and answers a clean exit 0 unless told otherwise', async () => {
    const runner = new FakeRunner();
    const result = await runner.run({ file: 'ipmitool', args: ['power', 'status'], env: {} });
    expect(result).toMatchObject({ exitCode: 0, signal: null, timedOut: false, stdout: '' });
    expect(runner.lastCall()).toMatchObject({ file: 'ipmitool', args: ['power', 'status'] });
  });

  it('answers from its responder, passing the output lines on as a real run would', async () => {
    const runner = new FakeRunner((options) =>
      options.args?.[0] === 'status' ? { exitCode: 111, stdout: 'off\nreally\n' } : {},
    );
    const lines: string[] = [];
    const result = await runner.run({
      file: 'bash',
      args: ['status'],
      env: {},
      onLine: (stream, line) => lines.push(`${stream}:${line}`),
    });
    expect(result.exitCode).toBe(111);
    expect(lines).toEqual(['stdout:off', 'stdout:really']);
  });

  it('rejects like a process that cannot start', async () => {
    const startError = Object.assign(new Error('spawn x ENOENT'), { code: 'ENOENT' });
    const runner = new FakeRunner(() => ({ startError }));
    await expect(runner.run({ file: 'x', env: {} })).rejects.toBe(startError);
  });

  it('says so when asked for a call that never came', () => {
    expect(() => new FakeRunner().lastCall()).toThrow('FakeRunner: nothing was run');
  });
});
