import { conditionStates, ConditionState } from './condition';
import { assertTransition, canTransition, isFinal, IllegalTransitionError } from './transitions';

const legal: Array<[ConditionState, ConditionState]> = [
  ['pending', 'active'],
  ['pending', 'failed'],
  ['active', 'succeeded'],
  ['active', 'failed'],
];

describe('condition state transitions', () => {
  const all = conditionStates.flatMap((from) =>
    conditionStates.map((to) => [from, to] as [ConditionState, ConditionState]),
  );

  it.each(all)('%s -> %s is legal only if listed', (from, to) => {
    const expected = legal.some(([f, t]) => f === from && t === to);
    expect(canTransition(from, to)).toBe(expected);
    if (expected) expect(() => assertTransition(from, to)).not.toThrow();
    else expect(() => assertTransition(from, to)).toThrow(IllegalTransitionError);
  });

  it.each([
    ['pending', false],
    ['active', false],
    ['succeeded', true],
    ['failed', true],
  ] as const)('%s is final: %s', (state, final) => {
    expect(isFinal(state)).toBe(final);
  });

  it('names both states in the error', () => {
    expect(() => assertTransition('succeeded', 'active')).toThrow(
      'illegal condition state transition succeeded -> active',
    );
  });
});
