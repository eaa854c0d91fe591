import type * as CliProgress from 'cli-progress';
import type { OutputStream } from '../io';

export interface Progress {
  /** One more server has its outcome. */
  tick(): void;
  /** Removes the bar (call before printing results). */
  stop(): void;
}

/** Draws nothing. */
export const silentProgress: Progress = { tick: () => undefined, stop: () => undefined };

/**
 * A bar on stderr while many servers are waited for; nothing when stderr is not a terminal or there
 * is one server.
 */
export function startProgress(stream: OutputStream, total: number, label = 'waiting'): Progress {
  if (!stream.isTTY || total <= 1) return silentProgress;
  // Required only when a bar is drawn: scripted runs (stderr not a terminal) and --help
  // should not pay for loading it at start-up.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SingleBar } = require('cli-progress') as typeof CliProgress;
  const bar = new SingleBar({
    // mctl's own cursor movements: on the terminal itself, not through the escaping stream.
    stream: (stream.terminal ?? stream) as unknown as NodeJS.WritableStream,
    format: `${label} [{bar}] {value}/{total} servers | {duration_formatted}`,
    clearOnComplete: true,
    fps: 5,
  });
  bar.start(total, 0);
  let stopped = false;
  return {
    tick: () => {
      if (!stopped) bar.increment();
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      bar.stop();
    },
  };
}
