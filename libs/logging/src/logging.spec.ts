import { Writable } from 'node:stream';
import { createLogger } from './index';

function capture() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { sink, lines };
}

describe('the structured logger', () => {
  it('writes one JSON event per line, naming the service', () => {
    const { sink, lines } = capture();
    const log = createLogger('controller', 'info', sink);
    log.info({ event: 'condition.succeeded', conditionId: 'c1', server: 'node01' }, 'done');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      service: 'controller',
      event: 'condition.succeeded',
      conditionId: 'c1',
      server: 'node01',
      msg: 'done',
    });
  });

  it.each([
    ['password', { password: 'hunter2' }],
    ['nested password', { bmc: { password: 'hunter2' } }],
    ['token', { token: 'hunter2' }],
    ['authorization header', { headers: { authorization: 'Bearer hunter2' } }],
    ['secret', { secret: 'hunter2' }],
  ])('never writes a %s', (_name, fields) => {
    const { sink, lines } = capture();
    createLogger('api', 'info', sink).info(fields, 'event');
    expect(JSON.stringify(lines)).not.toContain('hunter2');
    expect(JSON.stringify(lines)).toContain('[redacted]');
  });

  it('drops events below its level', () => {
    const { sink, lines } = capture();
    createLogger('api', 'warn', sink).info('quiet');
    expect(lines).toHaveLength(0);
  });
});
