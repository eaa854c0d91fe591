import { RangeExpressionError, expandRange } from '@switchboard/inventory/node-ranges';
import type { PublicServer } from '@switchboard/inventory';
import { UsageError } from './errors';

export interface TargetInputs {
  /** OpenFlight's positional `<node|range>`. */
  positional?: string;
  /** FlipFlop's `--server`. */
  server?: string;
  /** `-g/--group`, repeatable, each possibly a comma list; with or without the `@`. */
  groups?: string[];
}

/**
 * Joins every way of naming servers into one range expression, the API's own dialect:
 * `node01`, `node[01-64]`, `node01,node05`, `@rack2`. They add up: `node01 -g gpu` is
 * `node01,@gpu`.
 */
export function targetExpression(inputs: TargetInputs): string {
  const parts: string[] = [];
  for (const value of [inputs.positional, inputs.server]) {
    if (value !== undefined && value.trim() !== '') parts.push(value.trim());
  }
  for (const group of inputs.groups ?? []) {
    for (const name of group.split(',').map((g) => g.trim())) {
      if (name === '' || name === '@')
        throw new UsageError(`empty group name in --group "${group}"`);
      parts.push(name.startsWith('@') ? name : `@${name}`);
    }
  }
  if (parts.length === 0) {
    throw new UsageError(
      'which servers? give a name or range (node01, node[01-04]), --server <range> or ' +
        '--group <group>',
    );
  }
  const expression = parts.join(',');
  checkSyntax(expression);
  return expression;
}

/**
 * One plain name (or id) goes to the single-server endpoint; anything else to the batch endpoint.
 */
export function isSingleServer(expression: string): boolean {
  return !/[[\],@]/.test(expression);
}

/** Catches a malformed range before anything is sent; group names are checked by the API. */
function checkSyntax(expression: string): void {
  try {
    for (const item of splitItems(expression)) {
      expandRange(item.startsWith('@') ? item.slice(1) : item);
    }
  } catch (err) {
    if (err instanceof RangeExpressionError) throw new UsageError(err.message);
    throw err;
  }
}

/** Splits at top-level commas (`node[01,03],@gpu` → `node[01,03]`, `@gpu`). */
export function splitItems(expression: string): string[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expression.length; i++) {
    const c = expression[i];
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      items.push(expression.slice(start, i).trim());
      start = i + 1;
    }
  }
  items.push(expression.slice(start).trim());
  return items;
}

/**
 * Resolves an expression against the inventory listing, client-side, for commands that
 * look servers up one by one (`--action-status`, `power list`). Names and ids both match.
 */
export function resolveAgainst(
  expression: string,
  servers: readonly PublicServer[],
): { names: string[]; unknown: string[] } {
  const byKey = new Map<string, PublicServer>();
  for (const s of servers) {
    byKey.set(s.name, s);
    if (s.id) byKey.set(s.id.toLowerCase(), s);
  }
  const names = new Set<string>();
  const unknown: string[] = [];
  for (const item of splitItems(expression)) {
    if (item.startsWith('@')) {
      for (const group of expandRange(item.slice(1))) {
        const members = servers.filter((s) => s.groups.includes(group));
        if (members.length === 0) unknown.push(`@${group}`);
        for (const m of members) names.add(m.name);
      }
      continue;
    }
    for (const name of expandRange(item)) {
      const server = byKey.get(name) ?? byKey.get(name.toLowerCase());
      if (server) names.add(server.name);
      else unknown.push(name);
    }
  }
  return { names: [...names], unknown };
}
