import { ActionParameters, estateCommandRequest } from '@switchboard/condition-types';
import { ApiError } from '../errors/api-error';
import { clip, quote } from '../text/clip';
import { CommandsCatalog, describeProblem } from './commands-catalog';

/** How the API creates the conditions of one action request. */
export interface ActionRules {
  /** false for a `concurrent: true` command: no per-server claim is taken or checked. */
  exclusive: boolean;
  /**
   * false for a `has_context: false` command: it runs once, for no node, so it takes exactly one
   * target.
   */
  hasContext: boolean;
}

/** Without a commands directory the API cannot know better: per server, exclusively, as before. */
const UNCHECKED: ActionRules = { exclusive: true, hasContext: true };

const commandIssue = (message: string) =>
  ApiError.badRequest(message, [{ path: 'parameters.command', message }]);

/**
 * What the commands directory says about an action's command, or 400 before anything is
 * created: an unknown command, or one that is in the directory but broken (naming the file
 * and line at fault), would only fail later on every server it was queued for.
 */
export function actionRules(catalog: CommandsCatalog, parameters: ActionParameters): ActionRules {
  const name = parameters.command;
  const found = catalog.lookup(name);
  switch (found.status) {
    case 'builtin': {
      const request = estateCommandRequest(parameters);
      if (request && !request.ok) {
        const message = `${name}: ${request.message}`;
        throw ApiError.badRequest(message, [{ path: 'parameters.arguments', message }]);
      }
      // Exclusive per server, like an estate condition: it and a power action exclude each other.
      return UNCHECKED;
    }
    case 'unconfigured':
      return UNCHECKED;
    case 'unknown': {
      const known = catalog.names();
      const hint =
        known.length > 0
          ? `; known commands: ${clip(known.join(', '), 300)}`
          : '; the commands directory has no commands that load';
      throw commandIssue(`unknown command ${quote(name)}: not in the commands directory${hint}`);
    }
    case 'broken':
      throw commandIssue(
        `command ${quote(name)} is broken and cannot run: ` +
          `${clip(found.problems.map(describeProblem).join('; '), 1000)}`,
      );
    case 'ok':
      return { exclusive: !found.command.concurrent, hasContext: found.command.hasContext };
  }
}

/**
 * A command without node context runs once, not once per server. A batch naming several
 * servers for one is refused rather than trimmed to its first server: someone who wrote
 * `node[01-10]` expects ten runs, and one run filed under node01 would quietly be something else.
 */
export function requireSingleTarget(
  parameters: ActionParameters,
  rules: ActionRules,
  targets: number,
): void {
  if (rules.hasContext || targets <= 1) return;
  const message =
    `command ${quote(parameters.command)} runs once, without a node (has_context: false): ` +
    `name exactly one server in targets, not ${targets}`;
  throw ApiError.badRequest(message, [{ path: 'targets', message }]);
}
