import { CommandDefinition, DEFAULT_RANK, ScriptChoice } from './types';

/**
 * OpenFlight Action's rank rule: the node's ranks are its preferences, most specific first, so
 * the first of them (in the node's own order) that the command has a script for wins; a node
 * with no matching rank, or no ranks at all, runs `default`. The inventory lists `default` last
 * on every node, and it is the fallback here too, so both agree.
 */
export function selectScript(
  command: CommandDefinition,
  ranks: readonly string[] = [],
): ScriptChoice {
  for (const rank of ranks) {
    const path = command.scripts.get(rank);
    if (path !== undefined) return { rank, path };
  }
  const fallback = command.scripts.get(DEFAULT_RANK);
  // The loader refuses commands without a default; a hand-built definition might lack one.
  if (fallback === undefined)
    throw new Error(`command ${command.name} (${command.dir}): has no ${DEFAULT_RANK} script`);
  return { rank: DEFAULT_RANK, path: fallback };
}
