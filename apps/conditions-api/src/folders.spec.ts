import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** Each folder of src/ and the folders its (non-test) files import from. */
function folderImports(): Map<string, Set<string>> {
  const root = __dirname;
  const graph = new Map<string, Set<string>>();
  const files = (readdirSync(root, { recursive: true }) as string[]).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.spec.ts') && !f.startsWith('testing'),
  );
  for (const file of files) {
    const from = dirname(file);
    const text = readFileSync(join(root, file), 'utf8');
    for (const [, spec] of text.matchAll(/from '(\.{1,2}\/[^']+)'/g)) {
      const to = dirname(relative(root, resolve(root, from, spec)));
      if (to === from) continue;
      if (!graph.has(from)) graph.set(from, new Set());
      graph.get(from)?.add(to);
    }
  }
  return graph;
}

/** A path from `start` back to itself, if there is one. */
function cycleFrom(graph: Map<string, Set<string>>, start: string): string[] | undefined {
  const walk = (at: string, path: string[]): string[] | undefined => {
    for (const next of graph.get(at) ?? []) {
      if (next === start) return [...path, next];
      if (!path.includes(next)) {
        const found = walk(next, [...path, next]);
        if (found) return found;
      }
    }
    return undefined;
  };
  return walk(start, [start]);
}

describe('the source folders', () => {
  const graph = folderImports();

  it('are read (the scan finds the features)', () => {
    expect([...graph.keys()]).toEqual(expect.arrayContaining(['conditions', 'output', 'auth']));
  });

  it.each([...folderImports().keys()].filter((f) => f !== '.'))(
    'has no import cycle through %s',
    (folder) => {
      expect(cycleFrom(graph, folder)).toBeUndefined();
    },
  );
});
