import { capturingLogger } from '@switchboard/logging';
import { RepeatedWarning } from './repeated-warning';

describe('a warning an outage repeats', () => {
  it('is logged the first time and once every N repeats, then once when things work again', () => {
    const log = capturingLogger();
    const warning = new RepeatedWarning(log.logger, 'pull.interrupted', 50);
    for (let i = 0; i < 120; i++) warning.failed(new Error('TIMEOUT'), 'pull request ended');
    warning.worked('pull requests end normally again');
    warning.worked('pull requests end normally again');
    expect(log.events().map((e) => [e.event, e.repeats])).toEqual([
      ['pull.interrupted', 1],
      ['pull.interrupted', 51],
      ['pull.interrupted', 101],
      ['pull.interrupted.recovered', 120],
    ]);
  });
});
