import { parseConditionIds } from './condition-ids-query';

describe('parseConditionIds', () => {
  const a = '9b2f1f4e-4a0c-4f53-9d61-3c1bb1c5a001';
  const b = '9b2f1f4e-4a0c-4f53-9d61-3c1bb1c5a002';

  it('takes a comma list or the parameter repeated, each id once, in the order first given', () => {
    expect(parseConditionIds(`${b},${a},${b}`)).toEqual([b, a]);
    expect(parseConditionIds([a, `${b},${a}`])).toEqual([a, b]);
  });

  it.each([
    ['nothing', undefined, 'give at least one condition id'],
    ['only commas', ',,', 'give at least one condition id'],
    ['an object', { x: 1 }, 'expected a comma-separated list of condition ids'],
    ['a name', `${a},node01`, '"node01" is not a condition id'],
  ])('refuses %s, naming ids', (_name, raw, message) => {
    expect(() => parseConditionIds(raw)).toThrow(message);
  });
});
