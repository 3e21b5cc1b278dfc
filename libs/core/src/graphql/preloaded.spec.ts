import { GraphQLResolveInfo, buildSchema, execute, parse } from 'graphql';
import { jsonRow, preload, selectedFields, usePreloaded } from './preloaded';

describe('preloaded relations', () => {
  const schema = usePreloaded(
    buildSchema(`
      type Customer { id: ID! name: String! }
      type Ticket { id: ID! customer: Customer messages(first: Int): [String!]! }
      type Edge { node: Ticket! }
      type Page { edges: [Edge!]! }
      type Query { tickets: Page! }
    `),
  );
  let loads = 0;
  let seen = new Set<string>();
  const ticketType = schema.getType('Ticket') as unknown as {
    getFields(): Record<string, { resolve?: unknown }>;
  };
  // a resolver set after the transform is not wrapped; so wrap a fresh schema with resolvers
  const withResolvers = usePreloaded(
    (() => {
      const s = buildSchema(`
        type Customer { id: ID! name: String! }
        type Ticket { id: ID! customer: Customer }
        type Edge { node: Ticket! }
        type Page { edges: [Edge!]! }
        type Query { tickets: Page! }
      `);
      const fields = (s.getType('Ticket') as unknown as typeof ticketType).getFields();
      fields.customer.resolve = () => {
        loads++;
        return { id: 'loaded', name: 'From the loader' };
      };
      const query = (s.getType('Query') as unknown as typeof ticketType).getFields();
      query.tickets.resolve = (_: unknown, __: unknown, ___: unknown, info: GraphQLResolveInfo) => {
        seen = selectedFields(info, ['edges', 'node']);
        return {
          edges: [
            { node: preload({ id: '1' }, { customer: { id: 'c1', name: 'Preloaded' } }) },
            { node: { id: '2' } },
          ],
        };
      };
      return s;
    })(),
  );

  it('answers a field from the preloaded value, and runs the resolver otherwise', async () => {
    const result = await execute({
      schema: withResolvers,
      document: parse(
        `{ tickets { edges { node { ...T } } } } fragment T on Ticket { id customer { name } }`,
      ),
    });
    expect(result.errors).toBeUndefined();
    expect(result.data).toEqual({
      tickets: {
        edges: [
          { node: { id: '1', customer: { name: 'Preloaded' } } },
          { node: { id: '2', customer: { name: 'From the loader' } } },
        ],
      },
    });
    expect(loads).toBe(1);
    expect([...seen].sort()).toEqual(['customer', 'id']);
  });

  it('leaves fields with arguments and default resolvers alone', () => {
    expect(ticketType.getFields().messages.resolve).toBeUndefined();
    expect(ticketType.getFields().id.resolve).toBeUndefined();
  });

  it('reads JSON rows back with timestamps as Dates', () => {
    const row = jsonRow<{ createdAt: Date; name: string; customerSince: Date }>({
      createdAt: '2026-11-30T12:00:00.123456+00:00',
      customerSince: '2025-01-01T00:00:00+00:00',
      name: 'At',
    });
    expect(row?.createdAt).toEqual(new Date('2026-11-30T12:00:00.123Z'));
    expect(row?.customerSince).toBeInstanceOf(Date);
    expect(row?.name).toBe('At');
    expect(jsonRow(null)).toBeNull();
  });
});
