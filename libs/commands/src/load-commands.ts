import fs from 'node:fs';
import path from 'node:path';

import { byName } from './by-name';
import { OUTSIDE_ROOT, outsideRoot } from './inside-root';
import { loadCommand } from './load-command';
import { CommandDefinition, CommandProblem, LoadResult, NAME_PATTERN } from './types';

/**
 * Reads a commands directory (OpenFlight Action's layout: one sub-directory per command, with
 * metadata.yaml and its scripts). A broken command is reported in `problems` and left out;
 * it never hides the good ones. Hidden entries (`.git`) and plain files (a README) at the top
 * are not commands and are passed over.
 *
 * Synchronous on purpose: a directory of a few dozen small files reads in well under a
 * millisecond, and a reload that cannot interleave with another needs no locking.
 *
 * Throws only when the directory itself cannot be read: that is a configuration error, and the
 * caller should stop rather than run with no commands.
 */
export function loadCommands(dir: string): LoadResult {
  const root = path.resolve(dir);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(root, { withFileTypes: true }).sort(byName);
  } catch (err) {
    throw new Error(
      `commands directory ${root}: cannot be read ` +
        `(${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      { cause: err },
    );
  }

  const commands = new Map<string, CommandDefinition>();
  const problems: CommandProblem[] = [];
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const dir = path.join(root, entry.name);
    if (entry.isSymbolicLink() && outsideRoot(root, dir)) {
      // Said before anything of it is read: its file names must not show up in problems.
      problems.push({ command: entry.name, file: dir, message: OUTSIDE_ROOT });
      continue;
    }
    if (!isDirectory(dir)) continue;
    if (!NAME_PATTERN.test(entry.name)) {
      problems.push({
        command: entry.name,
        file: dir,
        message:
          'invalid command name: use letters, digits, ".", "_" and "-", starting with a ' +
          'letter or digit',
      });
      continue;
    }
    const loaded = loadCommand(dir, entry.name);
    problems.push(...loaded.problems);
    if (loaded.command) commands.set(entry.name, loaded.command);
  }
  return { commands, problems };
}

/** Follows symbolic links, so a command may be linked in from elsewhere in the directory. */
function isDirectory(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory();
  } catch {
    return false;
  }
}
