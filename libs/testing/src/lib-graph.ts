import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The library graph as the code has it: for every `libs/<name>`, the other libraries its
 * production files import through `@staydesk/<name>`. docs/architecture.md carries it between
 * markers (written by `npm run docs:graph`); a unit test fails when the two differ or a cycle
 * appears, so the page cannot drift from the code.
 */
export type LibGraph = Map<string, string[]>;

export const GRAPH_START =
  '<!-- lib-graph:start (npm run docs:graph writes this; a test checks it) -->';
export const GRAPH_END = '<!-- lib-graph:end -->';

const IMPORT = /from\s+'@staydesk\/([a-z-]+)'|import\(\s*'@staydesk\/([a-z-]+)'\s*\)/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(path));
    else if (entry.name.endsWith('.ts') && !/[.-]spec\.ts$/.test(entry.name)) out.push(path);
  }
  return out;
}

export function libraryGraph(root: string): LibGraph {
  const libs = readdirSync(join(root, 'libs'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const graph: LibGraph = new Map();
  for (const lib of libs) {
    const deps = new Set<string>();
    for (const file of sourceFiles(join(root, 'libs', lib, 'src'))) {
      for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
        const dep = m[1] ?? m[2];
        if (dep !== lib && dep !== 'migrations') deps.add(dep);
      }
    }
    graph.set(lib, [...deps].sort());
  }
  return graph;
}

/** Libraries in layers: each layer depends only on earlier ones. Throws on a cycle. */
export function layers(graph: LibGraph): string[][] {
  const placed = new Set<string>();
  const result: string[][] = [];
  while (placed.size < graph.size) {
    const layer = [...graph.keys()].filter(
      (lib) => !placed.has(lib) && graph.get(lib)!.every((d) => placed.has(d) || !graph.has(d)),
    );
    if (!layer.length) {
      const rest = [...graph.keys()].filter((l) => !placed.has(l));
      throw new Error(`libraries import each other in a cycle among: ${rest.join(', ')}`);
    }
    layer.forEach((l) => placed.add(l));
    result.push(layer);
  }
  return result;
}

export function renderGraph(graph: LibGraph): string {
  const rows = layers(graph).flatMap((layer, i) =>
    layer.map(
      (lib) =>
        `| ${i} | \`${lib}\` | ${
          graph
            .get(lib)!
            .map((d) => `\`${d}\``)
            .join(', ') || '—'
        } |`,
    ),
  );
  return [
    GRAPH_START,
    '',
    '| layer | library | imports (production code) |',
    '| ---: | --- | --- |',
    ...rows,
    '',
    GRAPH_END,
  ].join('\n');
}

/** A table compared without the padding prettier adds to align its columns. */
export function normalizeTable(block: string): string {
  return block
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').replace(/-{3,}/g, '---'))
    .join('\n');
}

/** The block as docs/architecture.md has it, or undefined without markers. */
export function documentedGraph(markdown: string): string | undefined {
  const start = markdown.indexOf(GRAPH_START);
  const end = markdown.indexOf(GRAPH_END);
  if (start < 0 || end < start) return undefined;
  return markdown.slice(start, end + GRAPH_END.length);
}
