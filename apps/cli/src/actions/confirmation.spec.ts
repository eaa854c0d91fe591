import { Readable } from 'node:stream';
import { UsageError } from '../errors';
import { captureStream } from '../test-support/memory-io';
import { askYesNo, confirmationStep, isYes } from './confirmation';

const QUESTION = 'Power off node[01-03]?';

describe('whether mctl run asks before running', () => {
  it.each([
    ['a command that asks nothing runs', undefined, false, false, { ask: false }],
    ['--yes answers for the operator', QUESTION, true, false, { ask: false }],
    ['--yes on a terminal too', QUESTION, true, true, { ask: false }],
    ['a terminal is asked', QUESTION, false, true, { ask: true, question: QUESTION }],
  ])('%s', (_name, question, yes, canAsk, expected) => {
    expect(confirmationStep({ question, yes, canAsk, command: 'power-off' })).toEqual(expected);
  });

  it('refuses, rather than hang or run blind, with no terminal and no --yes', () => {
    expect(() =>
      confirmationStep({ question: QUESTION, yes: false, canAsk: false, command: 'power-off' }),
    ).toThrow(
      new UsageError(
        'power-off asks "Power off node[01-03]?" before it runs, and stdin is not a ' +
          'terminal to answer on; add --yes to run it without asking',
      ),
    );
  });
});

describe('the answer', () => {
  it.each([
    ['y', true],
    ['Y', true],
    ['yes', true],
    [' YES ', true],
    ['', false],
    ['n', false],
    ['no', false],
    ['yes please', false],
    [undefined, false],
  ])('%p is yes: %p', (answer, expected) => {
    expect(isYes(answer)).toBe(expected);
  });

  it('is read from one line of input, the question written to the other stream', async () => {
    const err = captureStream();
    await expect(askYesNo(Readable.from(['yes\nmore\n']), err, QUESTION)).resolves.toBe(true);
    expect(err.text()).toBe(`${QUESTION} [y/N] `);
  });

  it('is no at end of input (Ctrl-D)', async () => {
    const err = captureStream();
    await expect(askYesNo(Readable.from([]), err, QUESTION)).resolves.toBe(false);
    expect(err.text()).toBe(`${QUESTION} [y/N] \n`);
  });
});
