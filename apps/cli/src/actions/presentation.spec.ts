import { UsageError } from '../errors';
import { choosePresentation } from './presentation';

describe('how mctl run shows the output', () => {
  it.each([
    // flags, stdout a terminal, nodes → presentation
    [{}, true, 3, 'live'],
    [{}, false, 3, 'folded'],
    [{ stream: true }, false, 3, 'live'],
    [{ fold: true }, true, 3, 'folded'],
    [{}, true, 1, 'plain'],
    [{}, false, 1, 'plain'],
    [{ stream: true }, false, 1, 'plain'],
    [{ fold: true }, true, 1, 'folded'],
    [{ json: true }, true, 3, 'json'],
    [{ json: true }, false, 1, 'json'],
  ])('%j, stdout a terminal: %s, %i node(s) → %s', (flags, tty, nodes, expected) => {
    expect(choosePresentation({ json: false, ...flags }, tty, nodes)).toBe(expected);
  });

  it.each([
    [
      { json: false, stream: true, fold: true },
      '--stream and --fold contradict each other: choose one',
    ],
    [{ json: true, stream: true }, '-o json prints one object per node at the end: drop --stream'],
    [{ json: true, fold: true }, '-o json prints one object per node at the end: drop --fold'],
  ])('refuses %j', (flags, message) => {
    expect(() => choosePresentation(flags, true, 3)).toThrow(new UsageError(message));
  });
});
