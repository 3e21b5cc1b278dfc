import { readFileSync, writeFileSync } from 'node:fs';
import { format, resolveConfig } from 'prettier';
import { join } from 'node:path';
import {
  GRAPH_END,
  GRAPH_START,
  documentedGraph,
  libraryGraph,
  renderGraph,
} from '@staydesk/testing';

/** `npm run docs:graph`: rewrites the library graph in docs/architecture.md from the imports. */
const root = join(__dirname, '..', '..');
const file = join(root, 'docs', 'architecture.md');
const doc = readFileSync(file, 'utf8');
const block = renderGraph(libraryGraph(root));
const current = documentedGraph(doc);
if (current === undefined) {
  process.stderr.write(`docs:graph: ${GRAPH_START} … ${GRAPH_END} not found in ${file}\n`);
  process.exit(1);
}
async function main() {
  // written as prettier formats it, so `npm run lint` stays green
  const options = { ...(await resolveConfig(file)), filepath: file };
  const next = await format(doc.replace(current!, block), options);
  writeFileSync(file, next);
  process.stdout.write(next === doc ? 'library graph unchanged\n' : `updated ${file}\n`);
}

main().catch((err: Error) => {
  process.stderr.write(`docs:graph: ${err.message}\n`);
  process.exit(1);
});
