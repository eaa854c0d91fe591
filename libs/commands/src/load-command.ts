import fs from 'node:fs';
import path from 'node:path';

import { DEFAULT_TIMEOUT_MS } from './metadata-schema';
import { parseMetadata } from './parse-metadata';
import { scanScripts } from './scan-scripts';
import { OUTSIDE_ROOT, outsideRoot } from './inside-root';
import type { CommandDefinition, CommandProblem } from './types';

export const METADATA_FILE = 'metadata.yaml';

export interface LoadedCommand {
  command?: CommandDefinition;
  problems: CommandProblem[];
}

/**
 * One command directory: its metadata.yaml and its scripts, checked together so that every
 * problem of the command is reported at once. Any problem keeps the command out: a command
 * whose aws.sh lost its execute bit must not quietly run default.sh on AWS nodes instead.
 */
class OutsideRoot extends Error {}

export function loadCommand(dir: string, name: string): LoadedCommand {
  const metadataFile = path.join(dir, METADATA_FILE);
  const problems: CommandProblem[] = [];

  let text: string | undefined;
  try {
    if (outsideRoot(path.dirname(dir), metadataFile)) throw new OutsideRoot();
    text = fs.readFileSync(metadataFile, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message =
      err instanceof OutsideRoot
        ? OUTSIDE_ROOT
        : code === 'ENOENT'
          ? `missing: every command needs a ${METADATA_FILE} with at least help.summary`
          : `cannot be read (${code ?? String(err)})`;
    problems.push({ command: name, file: metadataFile, message });
  }
  const metadata = text === undefined ? undefined : parseMetadata(text);
  if (metadata && !metadata.ok) {
    for (const issue of metadata.issues)
      problems.push({ command: name, file: metadataFile, ...issue });
  }

  const { scripts, issues } = scanScripts(dir);
  for (const issue of issues) problems.push({ command: name, ...issue });

  if (problems.length > 0 || !metadata?.ok) return { problems };
  const { help, confirmation, timeout, concurrent } = metadata.metadata;
  const command: CommandDefinition = {
    name,
    dir,
    summary: help.summary,
    description: help.description ?? help.summary,
    hasContext: help.has_context,
    timeoutMs: timeout ?? DEFAULT_TIMEOUT_MS,
    concurrent,
    scripts,
  };
  if (help.syntax !== undefined) command.syntax = help.syntax;
  if (confirmation !== undefined) command.confirmation = confirmation;
  return { command, problems };
}
