/** Command and rank names: safe in URLs, file names and condition parameters alike. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Every command has this script; a node whose ranks match nothing else runs it. */
export const DEFAULT_RANK = 'default';

/** One command of the commands directory, validated and ready to run. */
export interface CommandDefinition {
  name: string;
  /** Absolute path of the command's directory (`SCRIPT_ROOT` of its scripts). */
  dir: string;
  summary: string;
  /** The summary when metadata.yaml gives none. */
  description: string;
  syntax?: string;
  /** true: runs once per node, with that node's variables; false: runs once, with no node. */
  hasContext: boolean;
  /** Question to ask before running, with `%{nodes}` where the node list goes. */
  confirmation?: string;
  timeoutMs: number;
  /** false: the per-server claim applies; true: may run while the server has another condition. */
  concurrent: boolean;
  /** Rank → absolute path of its executable script; always holds `default`. */
  scripts: ReadonlyMap<string, string>;
}

/** Why one command (or one of its files) could not be loaded. */
export interface CommandProblem {
  /** The command's directory name. */
  command: string;
  /** Absolute path of the file (or directory) at fault. */
  file: string;
  /** 1-based line in `file`, when the problem is at a known place in a YAML file. */
  line?: number;
  message: string;
}

export interface LoadResult {
  /** The good commands, by name, in name order. */
  commands: Map<string, CommandDefinition>;
  /** Every problem found; a command with any problem is left out of `commands`. */
  problems: CommandProblem[];
}

/** Which script a node runs, and why (the rank that chose it). */
export interface ScriptChoice {
  rank: string;
  /** Absolute path of the script. */
  path: string;
}

/** "file:line: message", the way compilers print it, for logs and errors. */
export function formatProblem(problem: CommandProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  return `${where}: ${problem.message}`;
}
