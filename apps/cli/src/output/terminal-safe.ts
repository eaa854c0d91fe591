import { escapeControls } from '@switchboard/condition-types';
import type { Io, OutputStream } from '../io';

/** How mctl's streams show what they are given. */
export interface ScreenMode {
  /** `--raw`: write everything as it came (a script's own colours, `\r` progress lines). */
  raw: boolean;
  /** `-o json`: stdout carries JSON, so its escapes must be JSON's `\uXXXX`. */
  json: boolean;
}

/**
 * A stream that shows control characters, C1 controls, line separators and bidi overrides
 * as visible escapes (`\r`, `\x1b`, `\u202e`) instead of letting the terminal act on them.
 * Every write goes through it, so nothing a server, a script or an inventory sends can
 * move the cursor, rewrite a line's `node07: ` prefix, set the title or the clipboard,
 * whatever path it took to the screen. Line feeds and tabs pass: mctl writes whole lines.
 * `terminal` is the stream itself, for mctl's own drawing (the progress bar).
 */
function safeStream(
  stream: OutputStream,
  mode: () => ScreenMode,
  form: () => 'text' | 'json',
): OutputStream {
  return {
    get isTTY() {
      return stream.isTTY;
    },
    get columns() {
      return stream.columns;
    },
    terminal: stream.terminal ?? stream,
    write(chunk: string) {
      if (mode().raw) return stream.write(chunk);
      return stream.write(escapeControls(chunk, { keepNewlines: true, form: form() }));
    },
  };
}

/**
 * `io` with stdout and stderr made safe for a terminal. The mode is read at each write, so
 * it can be set once the command line is parsed (`setMode`); until then, escaping is on.
 */
export function terminalSafeIo(io: Io): { io: Io; setMode(mode: ScreenMode): void } {
  let mode: ScreenMode = { raw: false, json: false };
  const current = () => mode;
  return {
    io: {
      ...io,
      stdout: safeStream(io.stdout, current, () => (mode.json ? 'json' : 'text')),
      stderr: safeStream(io.stderr, current, () => 'text'),
    },
    setMode(next) {
      mode = next;
    },
  };
}

/**
 * A value from the server that is printed inside one line (an error, a reason): its line
 * feeds escaped too, so that it cannot start a line of its own that looks like mctl's.
 */
export function oneLine(text: string): string {
  return text.replace(/\n/g, '\\n');
}
