import type { TestStack } from './stack';

/** Every root field of Query and Mutation, read from the running api's schema by introspection. */
export async function schemaOperations(
  stack: TestStack,
): Promise<{ queries: string[]; mutations: string[] }> {
  const res = await stack.gql<{
    __schema: {
      queryType: { fields: { name: string }[] };
      mutationType: { fields: { name: string }[] };
    };
  }>('{ __schema { queryType { fields { name } } mutationType { fields { name } } } }');
  const s = res.data!.__schema;
  return {
    queries: s.queryType.fields.map((f) => f.name).sort(),
    mutations: s.mutationType.fields.map((f) => f.name).sort(),
  };
}
