import type { OutputLine } from '@switchboard/condition-types';
import type { Io } from '../io';
import { oneLine } from './terminal-safe';

/**
 * Prints output lines as they arrive: the script's stdout on stdout, its stderr on stderr, so
 * `2>/dev/null` works as it would on the node. With `prefixed`, each line starts with its node
 * (`node01: …`), as pdsh does, so the interleaved lines of many nodes can be told apart.
 */
export function liveLines(
  io: Pick<Io, 'stdout' | 'stderr'>,
  prefixed: boolean,
): (line: OutputLine) => void {
  return (line) => {
    const stream = line.stream === 'stderr' ? io.stderr : io.stdout;
    const text = oneLine(line.line);
    stream.write(prefixed ? `${oneLine(line.server)}: ${text}\n` : `${text}\n`);
  };
}
