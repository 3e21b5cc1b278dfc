/**
 * GraphQL Code Generator (client preset): typed documents for the `.graphql` operations beside
 * each feature, from the api's committed schema.graphql. `npm run codegen` writes src/gql;
 * `npm run codegen:check` writes to a temporary folder and fails if src/gql is stale.
 */
const out = process.env.CODEGEN_OUT ?? 'apps/web/src/gql/';
module.exports = {
  overwrite: true,
  schema: 'schema.graphql',
  documents: ['apps/web/src/features/**/*.graphql'],
  ignoreNoDocuments: false,
  generates: {
    [out]: {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: { DateTime: 'string', JSONObject: 'Record<string, unknown>' },
        enumsAsTypes: true,
        useTypeImports: true,
        skipTypename: false,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
      },
    },
  },
};
