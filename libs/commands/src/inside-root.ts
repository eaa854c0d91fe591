import fs from 'node:fs';
import path from 'node:path';

/**
 * Whether `file` resolves (symbolic links followed) to somewhere outside `root`. A link out of
 * the commands directory would run, or list, files the operator never put there: a link to
 * `/usr/bin/env` as a script, a linked directory whose file names end up in problems. A link
 * that resolves to nothing is not outside; reading it fails later with its own message.
 */
export function outsideRoot(root: string, file: string): boolean {
  let real: string;
  let realRoot: string;
  try {
    real = fs.realpathSync(file);
    realRoot = fs.realpathSync(root);
  } catch {
    return false;
  }
  return real !== realRoot && !real.startsWith(realRoot + path.sep);
}

export const OUTSIDE_ROOT =
  'is a symbolic link to outside the commands directory; refused (copy it in instead)';
