import { Type } from '@nestjs/common';
import { Field, Int, ObjectType } from '@nestjs/graphql';
import { DEFAULT_PAGE_SIZE } from './cursor';

@ObjectType('PageInfo', { description: 'Relay page information for cursor pagination.' })
export class PageInfo {
  @Field() hasNextPage!: boolean;
  @Field() hasPreviousPage!: boolean;
  @Field(() => String, { nullable: true }) startCursor!: string | null;
  @Field(() => String, { nullable: true }) endCursor!: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount?: number;
}

/**
 * Makes a Relay connection type `<Name>Connection` with `<Name>Edge` for a GraphQL object type.
 */
export function ConnectionType<T>(
  node: Type<T>,
  name: string,
  totalCountDescription = 'Total matching rows, when cheap to count.',
): Type<Connection<T>> {
  @ObjectType(`${name}Edge`, { description: `One ${name} in a page, with its cursor.` })
  class EdgeType {
    @Field({ description: 'Pass as `after` to get the items that follow this one.' })
    cursor!: string;
    @Field(() => node) node!: T;
  }

  @ObjectType(`${name}Connection`, {
    description: `A page of ${name} items (Relay cursor connection).`,
  })
  class ConnectionClass {
    @Field(() => [EdgeType]) edges!: EdgeType[];
    @Field(() => PageInfo) pageInfo!: PageInfo;
    @Field(() => Int, { nullable: true, description: totalCountDescription })
    totalCount?: number;
  }
  return ConnectionClass;
}

/**
 * Builds a connection from rows fetched with `limit + 1` (the extra row tells whether a next
 * page exists).
 */
export function toConnection<R, T>(
  rows: R[],
  limit: number,
  cursorOf: (row: R) => string,
  toNode: (row: R) => T,
  hasPreviousPage: boolean,
): Connection<T> {
  const page = rows.slice(0, limit);
  // a cursor is encoded when read (a page rarely selects every edge's cursor)
  const edges = page.map((row): Edge<T> => {
    let cursor: string | undefined;
    return {
      get cursor() {
        return (cursor ??= cursorOf(row));
      },
      node: toNode(row),
    };
  });
  return {
    edges,
    pageInfo: {
      hasNextPage: rows.length > limit,
      hasPreviousPage,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
}

/**
 * Query-complexity cost of a paginated field: its page size (`first`, default 25) times the cost
 * of one node. Use as `complexity: pagedComplexity` in the field's options.
 */
export const pagedComplexity = ({
  args,
  childComplexity,
}: {
  args: { first?: number | null };
  childComplexity: number;
}) => (args.first ?? DEFAULT_PAGE_SIZE) * Math.max(1, childComplexity);
