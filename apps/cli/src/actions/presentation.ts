import { UsageError } from '../errors';

/**
 * How `mctl run` shows the output:
 * plain: as it comes, unprefixed (one node: like running it there);
 * live: as it comes, each line prefixed `node01: `;
 * folded: at the end, nodes with identical output in one block (dshbak -c);
 * json: at the end, one object per node.
 */
export type Presentation = 'plain' | 'live' | 'folded' | 'json';

export interface PresentationFlags {
  json: boolean;
  stream?: boolean;
  fold?: boolean;
}

/** Flags that contradict each other are a usage error before anything is sent. */
export function checkPresentationFlags(flags: PresentationFlags): void {
  if (flags.stream && flags.fold)
    throw new UsageError('--stream and --fold contradict each other: choose one');
  if (flags.json && (flags.stream || flags.fold))
    throw new UsageError(
      `-o json prints one object per node at the end: drop --${flags.stream ? 'stream' : 'fold'}`,
    );
}

/**
 * A person at a terminal watches the lines come; a pipe or file gets the folded blocks, which
 * read (and diff) better than a hundred interleaved lines. --stream and --fold override the
 * guess. One node has nothing to fold or tell apart: its lines come as they are, unless --fold.
 */
export function choosePresentation(
  flags: PresentationFlags,
  stdoutIsTTY: boolean,
  nodes: number,
): Presentation {
  checkPresentationFlags(flags);
  if (flags.json) return 'json';
  if (flags.fold) return 'folded';
  if (nodes <= 1) return 'plain';
  return flags.stream || stdoutIsTTY ? 'live' : 'folded';
}
