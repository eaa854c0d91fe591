import type {
  CommandProblem,
  CommandSummary,
  CommandsResponse,
} from '@switchboard/condition-types';
import { formatDuration } from './duration';
import { renderTable } from './tables';

/** "file:line: message", as compilers print it. */
export function describeProblem(problem: CommandProblem): string {
  return (
    `${problem.file}${problem.line === undefined ? '' : `:${problem.line}`}: ` +
    `${problem.message}`
  );
}

/**
 * `mctl help`: the server's commands, one per line. A command whose name is also one of mctl's
 * own (built-ins win in `mctl help <name>`) says how to reach its help anyway.
 */
export function renderCommandList(
  listing: CommandsResponse,
  builtins: ReadonlySet<string>,
): string {
  if (listing.commands.length === 0)
    return `The server has no commands that can run (${listing.message}).\n`;
  const rows = [...listing.commands]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((c) => [
      c.name,
      builtins.has(c.name) ? `${c.summary} (help: mctl help run ${c.name})` : c.summary,
    ]);
  return [
    renderTable(['COMMAND', 'SUMMARY'], rows),
    '',
    'Run one:       mctl run <command> <node|range> [args...]   (or -g <group>)',
    'Describe one:  mctl help <command>',
    "mctl's own commands (power, boot, run, estate-list): mctl --help",
    '',
  ].join('\n');
}

/**
 * The short note on broken commands under `mctl help`: one line per command, its first problem
 * (`mctl help <command>` lists them all). Broken commands are not in the listing: they cannot run.
 */
export function renderProblemsNote(problems: readonly CommandProblem[]): string {
  if (problems.length === 0) return '';
  const byCommand = new Map<string, CommandProblem[]>();
  for (const p of problems) byCommand.set(p.command, [...(byCommand.get(p.command) ?? []), p]);
  const lines = [...byCommand.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([command, list]) =>
        `  ${command}: ` +
        `${describeProblem(list[0])}${list.length > 1 ? ` (and ${list.length - 1} more)` : ''}`,
    );
  const count = byCommand.size;
  return (
    `mctl: note: ${count} command${count === 1 ? ' is' : 's are'} broken on the server and ` +
    `cannot run:\n${lines.join('\n')}\n`
  );
}

/** `mctl help <command>`: how to run it and what it does, with its metadata. */
export function renderCommandHelp(command: CommandSummary): string {
  const syntax = command.syntax ?? 'NODE';
  // OpenFlight's usage line: the command, then its syntax (NODE unless it says otherwise).
  const usage = command.has_context
    ? [
        `Usage: mctl run ${command.name} ${syntax}`,
        `       mctl run ${command.name} -g <group> [args...]`,
      ]
    : [`Usage: mctl run ${command.name} ${syntax}`];
  const description = command.description.trim() || command.summary;
  const facts: Array<[string, string]> = [
    [
      'Runs',
      command.has_context
        ? 'once per node, with that node as its context'
        : 'once, for no node (has_context: false); name one node to file it under',
    ],
    ['Ranks', command.ranks.join(', ')],
    ['Timeout', formatDuration(command.timeout_seconds * 1000)],
    [
      'Concurrent',
      command.concurrent
        ? 'yes: may run while the node has other work'
        : 'no: one condition at a time per node',
    ],
    ['Confirmation', command.confirmation ? `${command.confirmation} (--yes answers it)` : 'none'],
  ];
  const width = Math.max(...facts.map(([k]) => k.length)) + 3;
  return [
    ...usage,
    '',
    command.summary,
    ...(description !== command.summary ? ['', description] : []),
    '',
    ...facts.map(([k, v]) => `${`${k}:`.padEnd(width)}${v}`),
    '',
  ].join('\n');
}
