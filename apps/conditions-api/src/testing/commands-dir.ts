import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One command as files: metadata.yaml text, and scripts by file name (executable unless `mode` says
 * otherwise).
 */
export interface CommandFiles {
  metadata: string;
  scripts?: Record<string, { text?: string; mode?: number }>;
}

const SCRIPT = '#!/bin/bash\necho "hello from $name"\n';

/**
 * Writes (or rewrites) a command directory; `default.sh` is there unless `scripts` names its own.
 */
export function writeCommand(root: string, name: string, files: CommandFiles): void {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'metadata.yaml'), files.metadata);
  for (const [file, { text = SCRIPT, mode = 0o755 }] of Object.entries(
    files.scripts ?? { 'default.sh': {} },
  )) {
    writeFileSync(join(dir, file), text);
    chmodSync(join(dir, file), mode);
  }
}

/** A new temporary commands directory holding `commands`. */
export function commandsDir(commands: Record<string, CommandFiles>): string {
  const root = mkdtempSync(join(tmpdir(), 'sb-api-commands-'));
  for (const [name, files] of Object.entries(commands)) writeCommand(root, name, files);
  return root;
}
