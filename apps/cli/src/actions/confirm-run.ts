import type { CommandSummary } from '@switchboard/condition-types';
import { foldNames } from '@switchboard/inventory/node-ranges';
import type { ApiClient } from '../api-client';
import type { Io } from '../io';
import { isSingleServer, resolveAgainst } from '../targets';
import { askYesNo, confirmationStep } from './confirmation';

/** OpenFlight Action's one placeholder in a confirmation question. */
const NODES = '%{nodes}';

/**
 * The nodes a question names: the targets resolved against the inventory and folded
 * (`node[01-03,07]`), so `@rack2` reads as the nodes it is. Names the inventory does not know
 * are left out: nothing will run there (they are reported as unknown afterwards).
 */
export async function nodesForQuestion(
  client: Pick<ApiClient, 'listServers'>,
  targets: string,
): Promise<string[]> {
  if (isSingleServer(targets)) return [targets];
  return resolveAgainst(targets, await client.listServers()).names;
}

/**
 * Asks the command's confirmation question, unless --yes answers it; true to go ahead. With
 * no terminal to ask on and no --yes, refuses with a usage error (exit 2). A question about
 * no known node at all is not asked: nothing would run.
 */
export async function confirmRun(
  client: Pick<ApiClient, 'listServers'>,
  io: Pick<Io, 'stdin' | 'stderr'>,
  command: CommandSummary,
  targets: string,
  yes: boolean,
): Promise<boolean> {
  if (command.confirmation === undefined || yes) return true;
  const nodes = await nodesForQuestion(client, targets);
  if (nodes.length === 0) return true;
  const question = command.confirmation.replaceAll(NODES, foldNames(nodes));
  const step = confirmationStep({
    question,
    yes,
    canAsk: io.stdin?.isTTY === true,
    command: command.name,
  });
  if (!step.ask || !io.stdin) return true;
  return askYesNo(io.stdin, io.stderr, step.question);
}
