import { dirname, resolve } from 'node:path';
import { LineCounter, isMap, parseDocument } from 'yaml';
import { FieldReader } from './fields';
import { LoadedInventory } from './inventory';
import { InventoryError, IssueList } from './inventory-error';
import { parseGroups } from './parse-groups';
import { parseNode } from './parse-node';
import { parsePlatforms } from './parse-platforms';
import { Inventory, ServerEntry } from './types';
import { Entry, YamlSource, describe, isNothing } from './yaml-source';

/** Their presence switches a file from Action's nodes.yaml layout to the topology layout. */
export const RESERVED_KEYS = ['static_nodes', 'platforms', 'groups'] as const;
/** Power Server's older topology files list nodes under `nodes:`. */
const LEGACY_NODES_KEY = 'nodes';

interface Layout {
  nodes: Entry[];
  platforms?: Entry;
  groups?: Entry;
}

/**
 * Parses an inventory in OpenFlight Power's topology.yaml layout, OpenFlight
 * Action's nodes.yaml layout, or a mix. Throws an `InventoryError` listing
 * every problem found. Reads `password_file`s relative to `file`'s directory.
 */
export function parseInventory(
  text: string,
  file: string,
  env: NodeJS.ProcessEnv = process.env,
): Inventory {
  const lines = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    merge: true,
    uniqueKeys: true,
  });
  const issues = new IssueList();
  for (const err of doc.errors) {
    // yaml's own wording for this one points at its API, not at the file.
    const message =
      err.code === 'MULTIPLE_DOCS'
        ? 'the file holds more than one YAML document (---); an inventory is a single document'
        : err.message.split('\n')[0];
    issues.add(lines.linePos(err.pos[0]).line, `YAML syntax error: ${message}`);
  }
  // A tree with syntax errors yields misleading follow-up errors; report those first.
  issues.throwIfAny(file);

  const source = new YamlSource(doc, lines);
  const read = new FieldReader(source, issues);
  const root = source.deref(doc.contents);
  if (!isMap(root)) {
    // An empty file is far more often a half-written save than an intent to
    // drop every server, so it is refused rather than loaded as zero nodes.
    const issue = isNothing(root)
      ? {
          line: 1,
          message: 'the inventory is empty: expected nodes, or static_nodes, platforms and groups',
        }
      : {
          line: source.lineOf(root, 1),
          message: `expected a map at the top level, got ${describe(root)}`,
        };
    throw new InventoryError(file, [issue]);
  }

  const layout = readLayout(source.entries(root, issues, {}), read);
  const platforms = parsePlatforms(layout.platforms, read);
  const ids = new Map<string, string>();
  const ctx = { read, platforms, ids, dir: dirname(resolve(file)), env };
  const servers: ServerEntry[] = [];
  for (const entry of layout.nodes) {
    const server = parseNode(entry, ctx);
    if (server) servers.push(server);
  }

  // Nodes that failed validation still count as known here, so one bad node
  // does not also produce an "unknown node" error in every group that lists it.
  const nodeNames = new Set(layout.nodes.map((e) => e.key));
  const groups = parseGroups(layout.groups, read, (item) =>
    nodeNames.has(item) ? item : ids.get(item.toLowerCase()),
  );
  issues.throwIfAny(file);

  const byName = new Map(servers.map((s) => [s.name, s]));
  for (const [group, members] of groups) {
    for (const member of members) byName.get(member)?.groups.push(group);
  }
  return new LoadedInventory(file, servers, platforms, groups);
}

function readLayout(top: Entry[], read: FieldReader): Layout {
  const topology = top.some((e) => (RESERVED_KEYS as readonly string[]).includes(e.key));
  if (!topology) return { nodes: top };

  const layout: Layout = { nodes: [] };
  let nodesSection: Entry | undefined;
  for (const entry of top) {
    if (entry.key === 'platforms') layout.platforms = entry;
    else if (entry.key === 'groups') layout.groups = entry;
    else if (entry.key === 'static_nodes' || entry.key === LEGACY_NODES_KEY) {
      if (nodesSection) {
        read.issues.add(
          entry.line,
          `both "${nodesSection.key}" and "${entry.key}" list nodes; use static_nodes only`,
        );
      } else {
        nodesSection = entry;
      }
    } else {
      read.issues.add(
        entry.line,
        `unknown top-level key "${entry.key}": in a file with static_nodes, platforms or ` +
          `groups, nodes go under static_nodes`,
      );
    }
  }
  if (!nodesSection || isNothing(nodesSection.value)) return layout;
  if (!isMap(nodesSection.value)) {
    read.issues.add(
      read.line(nodesSection),
      `expected a map of nodes, got ${describe(nodesSection.value)}`,
      {
        field: nodesSection.key,
      },
    );
    return layout;
  }
  layout.nodes = read.source.entries(nodesSection.value, read.issues, { field: nodesSection.key });
  return layout;
}
