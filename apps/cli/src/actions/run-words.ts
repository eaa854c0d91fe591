import { UsageError } from '../errors';

/** The words after `mctl run <command>`, sorted into the nodes and the script's arguments. */
export interface RunWords {
  /** The `<node|range>` positional; absent when -g/--server name the nodes. */
  positional?: string;
  /** The script's `$1…`. */
  args: string[];
}

export interface RunWordsContext {
  command: string;
  /** -g/--group or -s/--server was given. */
  targetFlags: boolean;
}

/**
 * OpenFlight Action's grammar: `<command> <node|range> [args...]`, or `<command> -g <group>
 * [args...]` where the group replaces the node. So with -g/--server every word is an argument.
 * A command without context (`has_context: false`) takes the same words: it runs once, for no
 * node, but is still filed under the one node named (the API refuses more than one).
 */
export function splitRunWords(words: readonly string[], ctx: RunWordsContext): RunWords {
  if (ctx.targetFlags) return { args: [...words] };
  if (words.length === 0) {
    throw new UsageError(
      `which nodes? mctl run ${ctx.command} <node|range> [args...], or -g <group>`,
    );
  }
  const [positional, ...args] = words;
  return { positional, args };
}
