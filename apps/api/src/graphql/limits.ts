import type { ApolloServerPlugin } from '@apollo/server';
import {
  ASTVisitor,
  DocumentNode,
  FragmentDefinitionNode,
  GraphQLError,
  Kind,
  SelectionSetNode,
  ValidationContext,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

/** Validation rule: no selection nested deeper than `max` levels (fragments followed). */
export function depthLimit(max: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    const depthOf = (
      set: SelectionSetNode | undefined,
      depth: number,
      seen: Set<string>,
    ): number => {
      if (!set) return depth;
      let deepest = depth;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) {
          if (sel.name.value.startsWith('__')) continue;
          deepest = Math.max(deepest, depthOf(sel.selectionSet, depth + 1, seen));
        } else if (sel.kind === Kind.INLINE_FRAGMENT) {
          deepest = Math.max(deepest, depthOf(sel.selectionSet, depth, seen));
        } else {
          const name = sel.name.value;
          if (seen.has(name)) continue;
          const frag = fragments.get(name);
          deepest = Math.max(deepest, depthOf(frag?.selectionSet, depth, new Set([...seen, name])));
        }
        if (deepest > max) break;
      }
      return deepest;
    };
    return {
      OperationDefinition(node) {
        const depth = depthOf(node.selectionSet, 0, new Set());
        if (depth > max) {
          context.reportError(
            new GraphQLError(`query is nested ${depth} levels deep; the limit is ${max}`, {
              nodes: [node],
              extensions: { code: 'BAD_USER_INPUT' },
            }),
          );
        }
      },
    };
  };
}

/**
 * Refuses operations whose estimated cost exceeds `max`: every field costs 1, list fields
 * declare their cost (page size × child cost) through `complexity` in their @Field options.
 */
export function complexityLimit(max: number): ApolloServerPlugin {
  // The cost is a pure function of the document, the operation and the variables. Apollo keeps
  // one parsed document per query text, so the costs are remembered per document object (a
  // WeakMap: a document evicted from Apollo's store takes its costs with it), per operation
  // and variables, for at most COSTS_PER_DOCUMENT variants each: the queue page and the other
  // screens send the same few documents with the same few variables thousands of times.
  const costs = new WeakMap<DocumentNode, Map<string, number>>();
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document, schema }) {
          let known = costs.get(document);
          if (!known) costs.set(document, (known = new Map()));
          const key = JSON.stringify([request.operationName ?? null, request.variables ?? null]);
          let complexity = known.get(key);
          if (complexity === undefined) {
            complexity = getComplexity({
              schema,
              operationName: request.operationName,
              query: document,
              variables: request.variables,
              estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
            });
            // large variables (a message body, an import) are not worth keeping: recomputed
            if (key.length <= MAX_COST_KEY) {
              if (known.size >= COSTS_PER_DOCUMENT) known.delete(known.keys().next().value!);
              known.set(key, complexity);
            }
          }
          if (complexity > max) {
            throw new GraphQLError(
              `query is too complex: estimated cost ${complexity}, limit ${max}; ask for fewer fields or smaller pages`,
              { extensions: { code: 'BAD_USER_INPUT' } },
            );
          }
        },
      };
    },
  };
}

/** Remembered costs per parsed document (variables that differ each time just recompute). */
const COSTS_PER_DOCUMENT = 64;
/** Longest operation name + variables (as JSON) whose cost is remembered. */
const MAX_COST_KEY = 2_000;
