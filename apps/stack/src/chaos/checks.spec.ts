import type { Condition } from '@switchboard/condition-types';
import { BmcSet, checkServer } from './checks';

const t = (s: number) => new Date(Date.UTC(2026, 10, 29, 10, 0, s)).toISOString();
const ms = (s: number) => Date.parse(t(s));

function condition(
  id: string,
  action: string,
  from: number,
  to: number,
  state: 'succeeded' | 'failed' = 'succeeded',
): Condition {
  return {
    id,
    kind: 'serverControl',
    target: 'node01',
    parameters:
      action === 'status'
        ? { action: 'get_power_state' }
        : { action: 'set_power_state', action_parameter: action },
    state,
    status: {
      records: [
        { ts: t(from - 1), msg: 'queued by chaos' },
        { ts: t(from), msg: 'picked up by controller c1' },
      ],
    },
    createdAt: t(from - 1),
    updatedAt: t(to),
  } as unknown as Condition;
}

const set = (s: number, action: string, value: string): BmcSet => ({ ts: ms(s), action, value });

describe('the chaos checks of one server', () => {
  it.each<[string, Condition[], BmcSet[], 'on' | 'off', string[]]>([
    [
      'one condition after another, each set inside its own',
      [condition('a', 'on', 1, 3), condition('b', 'off', 4, 6), condition('c', 'status', 7, 8)],
      [set(2, 'power', '1'), set(5, 'power', '0')],
      'off',
      [],
    ],
    [
      'two conditions worked on at once',
      [condition('a', 'on', 1, 5), condition('b', 'status', 4, 6)],
      [set(2, 'power', '1')],
      'on',
      [/^conditions a and b were worked on at once/.source],
    ],
    [
      'a set outside every condition (an orphaned operation)',
      [condition('a', 'on', 1, 3)],
      [set(2, 'power', '1'), set(9, 'power', '0')],
      'off',
      [/outside every condition/.source, /^power is off, but the last condition \(a, on\)/.source],
    ],
    [
      'a set that the running condition does not send',
      [condition('a', 'off', 1, 3)],
      [set(2, 'power', '1'), set(2.5, 'power', '0')],
      'off',
      [/^BMC received "power 1" while condition a ran, which sends no such thing/.source],
    ],
    [
      'a power cycle that powered the server off twice',
      [condition('a', 'cycle', 1, 6)],
      [set(2, 'power', '0'), set(3, 'power', '1'), set(4, 'power', '0'), set(5, 'power', '1')],
      'on',
      [/^power cycle a powered the server off 2 times/.source],
    ],
    [
      'a failed last condition leaves the power state unknown, not wrong',
      [condition('a', 'on', 1, 3), condition('b', 'off', 4, 6, 'failed')],
      [set(2, 'power', '1')],
      'on',
      [],
    ],
  ])('%s', (_name, conditions, sets, power, expected) => {
    const { violations } = checkServer('node01', conditions, sets, power);
    expect(violations).toHaveLength(expected.length);
    violations.forEach((v, i) => expect(v).toMatch(new RegExp(expected[i])));
  });
});
