import { GraphQLError, GraphQLScalarType, Kind, ValueNode } from 'graphql';

function literal(ast: ValueNode, variables?: Record<string, unknown> | null): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literal(v, variables));
    case Kind.OBJECT:
      return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value, variables)]));
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
    default:
      throw new GraphQLError(`JSONObject cannot represent ${ast.kind}`);
  }
}

const ensureObject = (value: unknown): Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new GraphQLError('JSONObject must be an object');
  }
  if (JSON.stringify(value).length > 16_384)
    throw new GraphQLError('JSONObject must be at most 16 KB');
  return value as Record<string, unknown>;
};

/** A JSON object (custom fields, business-hours calendars, risk factors). At most 16 KB. */
export const GraphQLJSONObject = new GraphQLScalarType({
  name: 'JSONObject',
  description: 'A JSON object, at most 16 KB.',
  serialize: (v) => ensureObject(v),
  parseValue: (v) => ensureObject(v),
  parseLiteral: (ast, variables) => ensureObject(literal(ast, variables)),
});
