import { compareNatural, foldNames } from '@switchboard/inventory/node-ranges';
import { oneLine } from './terminal-safe';

/** What one node printed, line by line. */
export interface NodeOutput {
  server: string;
  lines: readonly string[];
}

const RULE = '----------------';

/**
 * `dshbak -c`: nodes whose output is identical, byte for byte, share one block headed by their
 * folded names; blocks are ordered by their first node, naturally (node2 before node10).
 *
 *   ----------------
 *   node[01-03]
 *   ----------------
 *   <output>
 *
 * A node that printed nothing gets no block, as with dshbak: its outcome is reported apart.
 */
export function foldOutputs(outputs: readonly NodeOutput[]): string {
  const groups = new Map<string, string[]>();
  for (const { server, lines } of outputs) {
    if (lines.length === 0) continue;
    // A line holding "\n" (none should) is shown escaped, so joining keeps outputs apart.
    const text = lines.map(oneLine).join('\n');
    groups.set(text, [...(groups.get(text) ?? []), server]);
  }
  return [...groups.entries()]
    .map(([text, servers]) => ({ text, servers: [...servers].sort(compareNatural) }))
    .sort((a, b) => compareNatural(a.servers[0], b.servers[0]))
    .map(({ text, servers }) => `${RULE}\n${foldNames(servers)}\n${RULE}\n${text}\n`)
    .join('');
}
