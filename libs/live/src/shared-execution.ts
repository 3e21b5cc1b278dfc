import {
  DocumentNode,
  ExecutionArgs,
  ExecutionResult,
  GraphQLError,
  GraphQLSchema,
  ParseOptions,
  Source,
  createSourceEventStream,
  execute,
  parse,
  validate,
} from 'graphql';
import { BoundedStream } from './bounded-stream';
import type { LiveContext } from './live-connection';
import { FrameBatcher, FrameSocket } from './frame-batcher';
import { visibilityKey } from './visibility';

/**
 * One event's result for one execution key and the tail of its `next` message (the payload's
 * JSON as graphql-ws would send it, errors formatted, and the message's closing brace),
 * computed once; `ready` once both are there.
 */
interface Shared {
  ready: boolean;
  result?: ExecutionResult;
  tail?: Buffer;
  promise?: Promise<void>;
}

const isAsyncIterable = (x: unknown): x is AsyncIterable<unknown> =>
  typeof (x as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function';

/**
 * The subscription's result stream: `next` maps the source's events; ending it (return/throw)
 * ends the source.
 */
function wrapIterator(
  iterator: AsyncIterator<unknown>,
  next: () => Promise<IteratorResult<ExecutionResult>>,
): AsyncIterableIterator<ExecutionResult> {
  return {
    next,
    async return() {
      await iterator.return?.();
      return { done: true, value: undefined };
    },
    async throw(err: unknown) {
      await iterator.return?.();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

const isEvent = (payload: unknown): payload is object =>
  typeof payload === 'object' && payload !== null && !('end' in payload);

/** Where a subscription's frames go: its socket, and its id in graphql-ws's protocol. */
export interface LiveOutput {
  socket: FrameSocket;
  id: string;
}

export interface SharedSubscribeOptions {
  /** Sends the frames (batched per socket); without it every result goes through graphql-ws. */
  batcher?: FrameBatcher;
  /** Frames handed to a socket and not yet written before the subscription ends with `overflow`. */
  capacity: number;
  overflow: () => GraphQLError;
  /** The `payload` of a `next` message for a result (graphql-ws's onNext: errors formatted). */
  format: (result: ExecutionResult) => unknown;
}

/**
 * graphql-ws's `subscribe`: graphql-js's, except for what one event costs per subscriber.
 *
 * - **One execution per event and visibility class.** The hub hands one event object to all
 *   subscribers it goes to; the selection set is executed once per distinct (document,
 *   variables, role, visibility: `visibilityKey`) and the result shared. Field resolvers that
 *   depend on the caller depend on role and teams only, and for team leads on the private teams
 *   they lead (mayReadTicket: the customer timeline, evidence lists); one that looked at more
 *   would have to be added to the key.
 * - **One serialisation, no promise per subscriber.** The shared result is formatted (as the
 *   gateway's onNext does) and turned into JSON once. The hub's push goes straight to the
 *   subscription (`BoundedStream.attach`), which frames `{"id":…,"type":"next","payload":` (built
 *   once per subscription) + that JSON + `}` and queues it on the socket's FrameBatcher,
 *   in event order. What graphql-ws would do per message (await onNext, validate and stringify
 *   the message, await the socket's write, a few promises each) is skipped. The end of a stream
 *   (REFETCH, SERVICE_UNAVAILABLE) still goes through graphql-ws, after the frames before it.
 * - **Slow consumers**: frames handed to the socket but not yet written count against
 *   `capacity`; a subscription that reaches it ends with `overflow` (REFETCH) instead of letting
 *   the socket's buffer grow.
 */
export function sharedSubscribe(options: SharedSubscribeOptions) {
  // the hub pushes one event to all its subscribers in a row, and most share a key: the last
  // lookup answers them without the two map lookups
  let lastPayload: object | null = null;
  let lastKey = '';
  let lastEntry: Shared | null = null;
  const shared = (payload: object, key: string, args: ExecutionArgs): Shared => {
    if (payload === lastPayload && key === lastKey) return lastEntry!;
    let byKey = results.get(payload);
    if (!byKey) results.set(payload, (byKey = new Map()));
    let entry = byKey.get(key);
    if (!entry) {
      const s: Shared = (entry = { ready: false });
      const done = (result: ExecutionResult) => {
        s.result = result;
        s.tail = Buffer.from(`${JSON.stringify(options.format(result))}}`);
        s.ready = true;
      };
      const result = execute({ ...args, rootValue: payload });
      if (result instanceof Promise) {
        s.promise = result.then(done);
        s.promise.catch(() => undefined); // whoever waits for it sees the failure
      } else done(result);
      byKey.set(key, entry);
    }
    lastPayload = payload;
    lastKey = key;
    lastEntry = entry;
    return entry;
  };

  return async (args: ExecutionArgs) => {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    const ctx = args.contextValue as LiveContext;
    const key = [
      args.document.loc?.source.body ?? '',
      args.operationName ?? '',
      JSON.stringify(args.variableValues ?? {}),
      ctx.live.actor.role,
      visibilityKey(ctx.live.actor),
    ].join('\u0000');
    const iterator = source[Symbol.asyncIterator]();
    const out = ctx.output;
    const batcher = options.batcher;

    if (!(source instanceof BoundedStream) || !out || !batcher) {
      // graphql-ws sends each result itself (shared execution still)
      return wrapIterator(iterator, async () => {
        const r = await iterator.next();
        if (r.done) return { done: true, value: undefined };
        if (!isEvent(r.value))
          return { done: false, value: await execute({ ...args, rootValue: r.value }) };
        const s = shared(r.value, key, args);
        if (!s.ready) await s.promise;
        return { done: false, value: s.result! };
      });
    }

    const stream = source as BoundedStream<object, GraphQLError>;
    const prefix = Buffer.from(`{"id":${JSON.stringify(out.id)},"type":"next","payload":`);
    let unwritten = 0;
    const written = () => {
      unwritten--;
    };
    // events whose shared result is still being computed, in order (the first one is awaited)
    const waiting: Shared[] = [];
    let idle: Promise<void> = Promise.resolve();
    const send = (s: Shared) => {
      if (!stream.isOpen) return;
      if (unwritten >= options.capacity) {
        // the client does not read as fast as events come: end instead of buffering more
        waiting.length = 0;
        stream.end(options.overflow());
        return;
      }
      unwritten++;
      batcher.queue(out.socket, prefix, s.tail!, written);
    };
    const drain = async () => {
      while (waiting.length > 0) {
        const first = waiting[0];
        if (!first.ready) {
          try {
            await first.promise;
          } catch (err) {
            // the selection could not be executed at all: end like graphql-ws would
            waiting.length = 0;
            stream.end(err instanceof GraphQLError ? err : new GraphQLError(String(err)));
            return;
          }
        }
        waiting.shift();
        send(first);
      }
    };
    stream.attach((payload) => {
      const s = shared(payload, key, args);
      if (s.ready && waiting.length === 0) return send(s);
      waiting.push(s);
      if (waiting.length === 1) idle = drain();
    });

    return wrapIterator(iterator, async () => {
      // only the end comes this way: after the frames before it
      const r = await iterator.next();
      await idle;
      batcher.flushSocket(out.socket);
      if (r.done) return { done: true, value: undefined };
      return { done: false, value: await execute({ ...args, rootValue: r.value }) };
    });
  };
}

/** Results by event object: gone with the event (a WeakMap keeps nothing alive). */
const results = new WeakMap<object, Map<string, Shared>>();

/**
 * graphql-ws's `parse` and `validate`, remembered per query text: 1,000 consoles subscribe with
 * the same few documents (and all again after a restart or a Redis outage), so each is parsed
 * and validated once. Documents are never changed after parsing, so sharing one is safe.
 */
export function cachedParsing(limit = 500) {
  const documents = new Map<string, DocumentNode>();
  const validated = new WeakMap<
    DocumentNode,
    { schema: GraphQLSchema; errors: readonly GraphQLError[] }
  >();
  return {
    parse(source: string | Source, options?: ParseOptions): DocumentNode {
      if (typeof source !== 'string' || options) return parse(source, options);
      let doc = documents.get(source);
      if (!doc) {
        doc = parse(source);
        if (documents.size >= limit) documents.clear();
        documents.set(source, doc);
      }
      return doc;
    },
    validate(
      schema: GraphQLSchema,
      document: DocumentNode,
      ...rest: Parameters<typeof validate> extends [unknown, unknown, ...infer R] ? R : never
    ): readonly GraphQLError[] {
      if (rest.length > 0) return validate(schema, document, ...rest);
      const hit = validated.get(document);
      if (hit && hit.schema === schema) return hit.errors;
      const errors = validate(schema, document);
      validated.set(document, { schema, errors });
      return errors;
    },
  };
}
