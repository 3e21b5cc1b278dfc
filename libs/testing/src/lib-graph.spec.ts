import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { documentedGraph, layers, libraryGraph, normalizeTable, renderGraph } from './lib-graph';

const root = join(__dirname, '..', '..', '..');

describe('library graph', () => {
  const graph = libraryGraph(root);

  it('has no cycle between libraries', () => {
    expect(() => layers(graph)).not.toThrow();
  });

  it('is what docs/architecture.md shows (run `npm run docs:graph` after changing imports)', () => {
    const doc = readFileSync(join(root, 'docs', 'architecture.md'), 'utf8');
    expect(normalizeTable(documentedGraph(doc) ?? 'no lib-graph markers')).toBe(
      normalizeTable(renderGraph(graph)),
    );
  });

  it('places a library after everything it imports', () => {
    const layerOf = new Map(layers(graph).flatMap((l, i) => l.map((lib) => [lib, i] as const)));
    for (const [lib, deps] of graph)
      for (const d of deps) expect(layerOf.get(d)!).toBeLessThan(layerOf.get(lib)!);
  });

  it('finds a cycle when there is one', () => {
    const cyclic = new Map([
      ['a', ['b']],
      ['b', ['a']],
    ]);
    expect(() => layers(cyclic)).toThrow('cycle among: a, b');
  });
});
