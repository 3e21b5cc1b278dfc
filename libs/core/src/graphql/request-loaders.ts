import { ExecutionContext, Type, createParamDecorator } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import { GqlExecutionContext } from '@nestjs/graphql';
import DataLoader from 'dataloader';

/** A provider that makes one request's set of DataLoaders (a domain lib owns one of these). */
export interface LoaderFactory<T> {
  create(): T;
}

/**
 * The DataLoaders of one GraphQL request, created lazily per domain and cached for the request.
 * Resolvers get it with `@Loaders()` and call e.g. `loaders.get(IdentityLoaders).user.load(id)`.
 */
export class RequestLoaders {
  private readonly sets = new Map<Type<LoaderFactory<unknown>>, unknown>();

  constructor(private readonly moduleRef: ModuleRef) {}

  get<T>(factory: Type<LoaderFactory<T>>): T {
    let set = this.sets.get(factory) as T | undefined;
    if (set === undefined) {
      set = this.moduleRef.get(factory, { strict: false }).create();
      this.sets.set(factory, set);
    }
    return set;
  }
}

export const Loaders = createParamDecorator(
  (_: unknown, context: ExecutionContext): RequestLoaders => {
    const ctx = GqlExecutionContext.create(context).getContext<{ loaders?: RequestLoaders }>();
    if (!ctx.loaders) throw new Error('GraphQL context has no loaders');
    return ctx.loaders;
  },
);

/**
 * A DataLoader over a batch function that returns rows in any order: results come back in key
 * order, `null` for keys with no row.
 */
export function byIdLoader<R>(
  batch: (ids: readonly string[]) => Promise<R[]>,
  idOf: (row: R) => string,
): DataLoader<string, R | null> {
  return new DataLoader<string, R | null>(
    async (ids) => {
      const rows = await batch(ids);
      const map = new Map(rows.map((r) => [idOf(r), r]));
      return ids.map((id) => map.get(id) ?? null);
    },
    { maxBatchSize: 1000 },
  );
}

/** A DataLoader for one-to-many relations: every key gets the (possibly empty) list of its rows. */
export function groupLoader<R>(
  batch: (ids: readonly string[]) => Promise<R[]>,
  keyOf: (row: R) => string,
): DataLoader<string, R[]> {
  return new DataLoader<string, R[]>(
    async (ids) => {
      const rows = await batch(ids);
      const map = new Map<string, R[]>();
      for (const r of rows) {
        const k = keyOf(r);
        const list = map.get(k);
        if (list) list.push(r);
        else map.set(k, [r]);
      }
      return ids.map((id) => map.get(id) ?? []);
    },
    { maxBatchSize: 1000 },
  );
}
