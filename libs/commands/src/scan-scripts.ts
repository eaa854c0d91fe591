import fs from 'node:fs';
import path from 'node:path';

import { byName } from './by-name';
import { OUTSIDE_ROOT, outsideRoot } from './inside-root';
import { DEFAULT_RANK, NAME_PATTERN } from './types';

export interface ScriptIssue {
  file: string;
  message: string;
}

export interface ScriptScan {
  /** Rank → absolute path. */
  scripts: Map<string, string>;
  issues: ScriptIssue[];
}

/** Files in a command directory that are not scripts: its metadata and its documentation. */
const NOT_SCRIPTS = /^(metadata\.ya?ml|.*\.(md|txt))$/i;

/**
 * Finds the scripts of one command directory: every regular file but the metadata, notes
 * (`*.md`, `*.txt`) and hidden files; the rank is the file name without its extension
 * (`aws.sh` → `aws`, `default` → `default`). Sub-directories are left alone, so scripts can
 * keep helpers there without those becoming ranks.
 *
 * Checked now rather than at run time, when a node is waiting: each script must be executable
 * and start with `#!` (or be a binary), because it is exec'd directly and its first line picks
 * the interpreter; there must be a `default`.
 */
export function scanScripts(dir: string): ScriptScan {
  const scripts = new Map<string, string>();
  const issues: ScriptIssue[] = [];
  const entries = fs.readdirSync(dir, { withFileTypes: true }).sort(byName);

  for (const entry of entries) {
    if (entry.name.startsWith('.') || NOT_SCRIPTS.test(entry.name)) continue;
    const file = path.join(dir, entry.name);
    if (outsideRoot(path.dirname(dir), file)) {
      issues.push({ file, message: OUTSIDE_ROOT });
      continue;
    }
    const problem = unusable(file);
    if (problem === 'directory') continue;
    if (problem) {
      issues.push({ file, message: problem });
      continue;
    }
    const rank = path.parse(entry.name).name;
    if (!NAME_PATTERN.test(rank)) {
      issues.push({
        file,
        message:
          `rank "${rank}" (from the file name) must be letters, digits, ".", "_" or "-", ` +
          `starting with a letter or digit`,
      });
      continue;
    }
    const other = scripts.get(rank);
    if (other !== undefined) {
      issues.push({
        file,
        message:
          `rank "${rank}" has two scripts, ${path.basename(other)} and ${entry.name}; keep ` +
          `one`,
      });
      continue;
    }
    scripts.set(rank, file);
  }

  if (
    !scripts.has(DEFAULT_RANK) &&
    !issues.some((issue) => path.parse(issue.file).name === DEFAULT_RANK)
  ) {
    issues.push({
      file: path.join(dir, `${DEFAULT_RANK}.sh`),
      message:
        `missing: every command needs a ${DEFAULT_RANK}.sh (or ${DEFAULT_RANK}) script, ` +
        `run on nodes none of whose ranks has a script`,
    });
  }
  return { scripts, issues };
}

/** Why `file` cannot run as a script, 'directory' for a helper directory, undefined when it can. */
function unusable(file: string): string | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    return (
      `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)}); a broken ` +
      `symbolic link?`
    );
  }
  if (stat.isDirectory()) return 'directory';
  if (!stat.isFile()) return 'is not a regular file';
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    return `is not executable (chmod +x ${path.basename(file)})`;
  }
  const head = readHead(file);
  if (head === undefined) return 'cannot be read';
  if (!head.startsWith('#!') && !head.startsWith('\x7fELF')) {
    return 'does not start with a #! line naming its interpreter (for example #!/usr/bin/env bash)';
  }
  return undefined;
}

function readHead(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = fs.openSync(file, 'r');
    const buffer = Buffer.alloc(4);
    const read = fs.readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, read).toString('latin1');
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}
