/**
 * Characters that a terminal acts on instead of showing, or that reorder or break what is
 * shown: C0 controls but tab (a carriage return rewrites the start of the line, so a script
 * could print `node07: ok` over its own prefix; ESC starts title, clipboard and cursor
 * sequences), DEL, C1 controls (0x9b is a one-byte CSI on many terminals), the Unicode line
 * and paragraph separators, and the bidirectional marks, embeddings, overrides and isolates.
 * Line feed is in the set too; `keepNewlines` lets it through for text made of whole lines.
 */
const UNSAFE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;
const UNSAFE_BUT_NEWLINE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = {
  '\r': '\\r',
  '\n': '\\n',
  '\b': '\\b',
  '\f': '\\f',
  '\v': '\\v',
};

export interface EscapeOptions {
  /** Leave line feeds as they are (the text is several whole lines). */
  keepNewlines?: boolean;
  /**
   * `text` (default): `\r`, `\x1b`, `\u202e`, readable on a terminal. `json`: every one as
   * `\uXXXX`, which inside a JSON string means the same character, so JSON text stays valid
   * and equal to what it was for a program reading it.
   */
  form?: 'text' | 'json';
}

function hex(code: number, width: number): string {
  return code.toString(16).padStart(width, '0');
}

/**
 * `text` with every character of the set above shown as a visible escape. Backslashes are
 * left alone: an escape a script printed literally is as harmless as the ones made here.
 */
export function escapeControls(text: string, options: EscapeOptions = {}): string {
  const pattern = options.keepNewlines ? UNSAFE_BUT_NEWLINE : UNSAFE;
  return text.replace(pattern, (c) => {
    const code = c.charCodeAt(0);
    if (options.form === 'json') return `\\u${hex(code, 4)}`;
    return NAMED[c] ?? (code <= 0xff ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`);
  });
}

/** True when `text` holds a character `escapeControls` would escape (line feeds included). */
export function hasControls(text: string): boolean {
  return new RegExp(UNSAFE.source).test(text);
}
