import { Readable } from 'node:stream';
import type { InputStream, InterruptSource } from '../io';

/** A terminal on stdin that types `answers` (one line each) when asked. */
export function terminalTyping(...answers: string[]): InputStream {
  return Object.assign(Readable.from(answers.map((a) => `${a}\n`)), { isTTY: true });
}

/**
 * Ctrl-C pressed `times` times, `afterMs` after the command starts listening for it, `gapMs` apart.
 */
export function ctrlC(times: number, afterMs = 20, gapMs = 20): InterruptSource {
  return (listener) => {
    const timers = Array.from({ length: times }, (_, i) =>
      setTimeout(listener, afterMs + i * gapMs),
    );
    return () => timers.forEach(clearTimeout);
  };
}
