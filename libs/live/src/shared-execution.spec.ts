import {
  ExecutionResult,
  GraphQLError,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
} from 'graphql';
import { BoundedStream } from './bounded-stream';
import { FrameBatcher, FrameSocket } from './frame-batcher';
import { deliver } from './live-connection';
import { sharedSubscribe } from './shared-execution';

type Item = { value: { text: string }; loaders: never };

/** A schema with one subscription fed by `stream`, resolved like the real ones (`deliver`). */
function schemaOn(stream: BoundedStream<Item, GraphQLError>) {
  const Event = new GraphQLObjectType({
    name: 'Event',
    fields: { text: { type: GraphQLString } },
  });
  return new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { x: { type: GraphQLString } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: { event: { type: Event, subscribe: () => stream, resolve: deliver } },
    }),
  });
}

/** A socket whose writes are recorded and complete only when `complete` is true. */
function socket() {
  const writes: string[] = [];
  const pending: (() => void)[] = [];
  const s = {
    complete: true,
    writes,
    pending,
    socket: {
      readyState: 1,
      send: () => undefined,
      _socket: {
        write: (data: Buffer, cb: () => void) => {
          writes.push(data.toString('latin1'));
          if (s.complete) setImmediate(cb);
          else pending.push(cb);
          return true;
        },
      },
    } as FrameSocket,
  };
  return s;
}

const refetch = () => new GraphQLError('fell behind', { extensions: { code: 'REFETCH' } });

async function subscribeTo(capacity: number, id: string, out: ReturnType<typeof socket>) {
  const stream = new BoundedStream<Item, GraphQLError>(capacity, () => undefined, refetch());
  const subscribe = sharedSubscribe({
    batcher: new FrameBatcher({ share: 1, busyShare: 1, maxWindowMs: 0, maxFrames: 1000 }),
    capacity,
    overflow: refetch,
    format: (r: ExecutionResult) => r,
  });
  const live = { actor: { id: '1', role: 'agent', teamId: null, teamIds: [], name: 'A' } };
  const iterator = (await subscribe({
    schema: schemaOn(stream),
    document: parse('subscription { event { text } }'),
    contextValue: { live, actor: live.actor, output: { socket: out.socket, id } },
  })) as AsyncIterableIterator<ExecutionResult>;
  return { stream, iterator };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('sharedSubscribe', () => {
  it('writes each event as a graphql-ws next message, in order, one serialisation per event', async () => {
    const a = socket();
    const b = socket();
    const x = await subscribeTo(10, 'a1', a);
    const y = await subscribeTo(10, 'b1', b);
    const first = { value: { text: 'one' }, loaders: undefined as never };
    x.stream.push(first);
    y.stream.push(first);
    x.stream.push({ value: { text: 'two' }, loaders: undefined as never });
    await tick();
    await tick();
    const frames = (w: string[]) =>
      w
        .join('')
        .split(/\x81[\s\S]/)
        .filter(Boolean);
    expect(frames(a.writes)).toEqual([
      '{"id":"a1","type":"next","payload":{"data":{"event":{"text":"one"}}}}',
      '{"id":"a1","type":"next","payload":{"data":{"event":{"text":"two"}}}}',
    ]);
    expect(frames(b.writes)).toEqual([
      '{"id":"b1","type":"next","payload":{"data":{"event":{"text":"one"}}}}',
    ]);
  });

  it('ends a subscription whose socket does not take its frames with the overflow error', async () => {
    const slow = socket();
    slow.complete = false;
    const { stream, iterator } = await subscribeTo(3, 's1', slow);
    for (let i = 0; i < 5; i++) {
      stream.push({ value: { text: `e${i}` }, loaders: undefined as never });
      await tick();
    }
    expect(stream.isOpen).toBe(false);
    const end = await iterator.next();
    expect(end.value.errors?.[0].extensions.code).toBe('REFETCH');
    expect((await iterator.next()).done).toBe(true);
    expect(slow.writes.length).toBeLessThanOrEqual(3);
  });
});
