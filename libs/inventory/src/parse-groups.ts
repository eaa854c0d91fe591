import { isMap, isScalar, isSeq } from 'yaml';
import { FieldReader } from './fields';
import { NAME_PATTERN } from './parse-node';
import { RangeExpressionError, expandExpression } from './range-expand';
import { Entry, describe, isNothing, scalarText } from './yaml-source';

interface Expression {
  text: string;
  line: number;
}

/**
 * `groups:` maps a name to a range expression or a list of them; members are
 * checked against the nodes so a typo in `node[01-40]` fails the load instead
 * of silently shrinking the group.
 *
 * @param lookup maps a node name or id to the node's name
 */
export function parseGroups(
  section: Entry | undefined,
  read: FieldReader,
  lookup: (nameOrId: string) => string | undefined,
): Map<string, string[]> {
  const raw = readRawGroups(section, read);
  const members = new Map<string, string[]>();
  const state = new Map<string, 'visiting' | 'done'>();

  const expand = (name: string, path: string[]): readonly string[] => {
    if (state.get(name) === 'done') return members.get(name) ?? [];
    const group = raw.get(name);
    if (!group) return [];
    const where = { field: `groups.${name}` };
    state.set(name, 'visiting');
    const names = new Set<string>();
    for (const expr of group) {
      try {
        const expanded = expandExpression(expr.text, (ref) => {
          if (!raw.has(ref)) {
            read.issues.add(
              expr.line,
              `unknown group "@${ref}" in ${JSON.stringify(expr.text)}`,
              where,
            );
            return [];
          }
          if (state.get(ref) === 'visiting') {
            const chain = [...path, name];
            const cycle = [...chain.slice(chain.indexOf(ref)), ref];
            read.issues.add(
              expr.line,
              `groups refer to each other in a cycle: ${cycle.join(' -> ')}`,
              where,
            );
            return [];
          }
          return expand(ref, [...path, name]);
        });
        for (const item of expanded) {
          const node = lookup(item);
          if (node !== undefined) names.add(node);
          else
            read.issues.add(
              expr.line,
              `unknown node "${item}" in ${JSON.stringify(expr.text)}`,
              where,
            );
        }
      } catch (err) {
        if (!(err instanceof RangeExpressionError)) throw err;
        read.issues.add(expr.line, err.message, where);
      }
    }
    state.set(name, 'done');
    members.set(name, [...names]);
    return members.get(name) ?? [];
  };

  for (const name of raw.keys()) expand(name, []);
  // Keep the file's order rather than the order recursion finished in.
  return new Map([...raw.keys()].map((name) => [name, members.get(name) ?? []]));
}

function readRawGroups(section: Entry | undefined, read: FieldReader): Map<string, Expression[]> {
  const raw = new Map<string, Expression[]>();
  if (!section || isNothing(section.value)) return raw;
  if (!isMap(section.value)) {
    read.issues.add(
      read.line(section),
      `expected a map of group names to node ranges, got ${describe(section.value)}`,
      {
        field: 'groups',
      },
    );
    return raw;
  }
  for (const entry of read.source.entries(section.value, read.issues, { field: 'groups' })) {
    const where = { field: `groups.${entry.key}` };
    if (!NAME_PATTERN.test(entry.key)) {
      read.issues.add(
        entry.line,
        "invalid group name: use letters, digits, '.', '_' and '-'",
        where,
      );
      continue;
    }
    const value = entry.value;
    const items = isSeq(value) ? value.items.map((item) => read.source.deref(item)) : [value];
    const expressions: Expression[] = [];
    for (const item of items) {
      const line = read.source.lineOf(item, entry.line);
      if (
        isScalar(item) &&
        !isNothing(item) &&
        typeof item.value !== 'object' &&
        scalarText(item).trim() !== ''
      ) {
        expressions.push({ text: scalarText(item), line });
      } else {
        read.issues.add(
          line,
          `expected a node range like "node[01-04]" or a list of them, got ${describe(item)}`,
          where,
        );
      }
    }
    raw.set(entry.key, expressions);
  }
  return raw;
}
