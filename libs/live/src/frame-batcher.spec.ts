import * as ws from 'ws';
import { FrameBatcher, FrameSocket } from './frame-batcher';

/** A socket that records what was written to it (the raw bytes, one entry per write). */
function fakeSocket(open = true) {
  const writes: Buffer[] = [];
  const socket: FrameSocket = {
    readyState: open ? 1 : 3,
    send: () => undefined,
    _socket: {
      write: (data, cb) => {
        writes.push(Buffer.from(data));
        setImmediate(() => cb());
        return true;
      },
    },
  };
  return { socket, writes };
}

/** The messages in `bytes`, parsed by ws's own receiver (what a client reads). */
function messages(bytes: Buffer): string[] {
  const out: string[] = [];
  // ws's own frame parser (exported at runtime, not in its type declarations)
  const { Receiver } = ws as unknown as {
    Receiver: new (o: { isServer: boolean }) => NodeJS.WritableStream & {
      on(e: 'message', f: (data: Buffer, isBinary: boolean) => void): void;
    };
  };
  const r = new Receiver({ isServer: false });
  r.on('message', (data: Buffer, isBinary: boolean) =>
    out.push(`${isBinary ? 'bin' : 'text'}:${data}`),
  );
  r.write(bytes);
  return out;
}

/** A message queued as head + body (the body shared, as the live path shares an event's JSON). */
const queue = (
  batcher: FrameBatcher,
  socket: FrameSocket,
  text: string,
  done: (err?: Error) => void = () => undefined,
) => batcher.queue(socket, Buffer.from(text.slice(0, 1)), Buffer.from(text.slice(1)), done);

describe('FrameBatcher framing', () => {
  it.each([5, 200, 70_000])('frames %i-byte text messages as ws reads them', (n) => {
    const batcher = new FrameBatcher({ share: 0.1, maxWindowMs: 100, clock: () => 0 });
    const a = fakeSocket();
    const body = 'x'.repeat(n - 2);
    queue(batcher, a.socket, `{${body}}`);
    queue(batcher, a.socket, '{"short"}');
    queue(batcher, a.socket, `[${body}]`);
    batcher.flush();
    expect(a.writes).toHaveLength(1);
    expect(messages(a.writes[0])).toEqual([`text:{${body}}`, 'text:{"short"}', `text:[${body}]`]);
  });
});

describe('FrameBatcher', () => {
  it('sends the first frame at once, then waits in proportion to what the last flush cost', async () => {
    let now = 0;
    let cpu = 0;
    // each flush "costs" 25 ms of CPU: with a share of 0.2 the next waits 100 ms
    const batcher = new FrameBatcher({
      share: 0.2,
      maxWindowMs: 1000,
      clock: () => now,
      cpu: () => (cpu += 25),
    });
    const a = fakeSocket();
    const b = fakeSocket();
    const done = jest.fn();
    queue(batcher, a.socket, '1', done);
    queue(batcher, b.socket, '1', done);
    await new Promise((r) => setImmediate(r));
    expect([a.writes.length, b.writes.length]).toEqual([1, 1]);
    // within the window: held until it ends, then both frames in one write
    now = 10;
    queue(batcher, a.socket, '2', done);
    queue(batcher, a.socket, '3', done);
    await new Promise((r) => setTimeout(r, 30));
    expect(a.writes).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(a.writes).toHaveLength(2);
    expect(messages(Buffer.concat(a.writes))).toEqual(['text:1', 'text:2', 'text:3']);
    await new Promise((r) => setImmediate(r));
    expect(done).toHaveBeenCalledTimes(4);
  });

  it('never waits longer than maxWindowMs', async () => {
    const now = 0;
    let cpu = 0;
    const batcher = new FrameBatcher({
      share: 0.01,
      maxWindowMs: 30,
      clock: () => now,
      cpu: () => (cpu += 50),
    });
    const a = fakeSocket();
    queue(batcher, a.socket, '1');
    await new Promise((r) => setImmediate(r));
    queue(batcher, a.socket, '2');
    await new Promise((r) => setTimeout(r, 45));
    expect(a.writes).toHaveLength(2);
  });

  it('flushes one socket on demand, and reports frames for a closed socket as not written', () => {
    const batcher = new FrameBatcher({ share: 0.1, maxWindowMs: 100, clock: () => 0 });
    const a = fakeSocket();
    const closed = fakeSocket(false);
    const done = jest.fn();
    queue(batcher, a.socket, '1', done);
    queue(batcher, closed.socket, '1', done);
    batcher.flushSocket(a.socket);
    expect(a.writes).toHaveLength(1);
    batcher.flush();
    expect(closed.writes).toHaveLength(0);
    expect(done).toHaveBeenCalledWith(expect.any(Error));
  });
});
