import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * The libraries form a graph without cycles: every `@app/<lib>` import between libs/<x>/src files,
 * `import type` included, is an edge x → lib (the lint rule import-x/no-cycle guards the run-time
 * imports file by file; this guards the libraries as units, and runs under npm test).
 */
// Jest runs from the repository's root (jest.config.mjs)
const LIBS = join(process.cwd(), 'libs');
const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s+['"]@app\/([\w-]+)['"]|import\(\s*['"]@app\/([\w-]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** lib → the libs it imports, each with one file that does. */
function libraryGraph(root = LIBS): Map<string, Map<string, string>> {
  const graph = new Map<string, Map<string, string>>();
  for (const lib of readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name)) {
    const edges = new Map<string, string>();
    graph.set(lib, edges);
    for (const file of sourceFiles(join(root, lib, 'src'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const target = match[1] ?? match[2];
        if (target !== lib && !edges.has(target)) edges.set(target, relative(root, file));
      }
    }
  }
  return graph;
}

/** The first cycle found, as the list of libs around it (first = last), or null. */
function findCycle(graph: Map<string, Map<string, string>>): string[] | null {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (lib: string): string[] | null => {
    if (state.get(lib) === 'done') return null;
    if (state.get(lib) === 'open') return [...path.slice(path.indexOf(lib)), lib];
    state.set(lib, 'open');
    path.push(lib);
    for (const next of graph.get(lib)?.keys() ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(lib, 'done');
    return null;
  };
  for (const lib of graph.keys()) {
    const cycle = visit(lib);
    if (cycle) return cycle;
  }
  return null;
}

describe('the libraries', () => {
  it('import one another without a cycle, type imports included', () => {
    const graph = libraryGraph();
    expect(graph.size).toBeGreaterThan(10);
    expect(graph.get('reports')!.has('audit')).toBe(true); // the scan sees real imports
    const cycle = findCycle(graph);
    const described = cycle?.slice(1).map((lib, i) => `${cycle[i]} → ${lib} (${graph.get(cycle[i])!.get(lib)})`);
    expect(described ?? []).toEqual([]);
  });

  it('core imports no other library', () => {
    expect([...libraryGraph().get('core')!.keys()]).toEqual([]);
  });

  it('finds a cycle when there is one', () => {
    const graph = new Map([
      ['a', new Map([['b', 'a.ts']])],
      ['b', new Map([['c', 'b.ts']])],
      ['c', new Map([['a', 'c.ts']])],
      ['d', new Map()],
    ]);
    expect(findCycle(graph)).toEqual(['a', 'b', 'c', 'a']);
    graph.get('c')!.delete('a');
    expect(findCycle(graph)).toBeNull();
  });
});
