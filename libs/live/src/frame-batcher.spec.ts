import * as ws from 'ws';
import { FrameBatcher, FrameSocket, textFrame } from './frame-batcher';

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

describe('textFrame', () => {
  it.each([5, 200, 70_000])('frames a %i-byte text message as ws reads it', (n) => {
    const body = 'x'.repeat(n - 2);
    const frame = textFrame([Buffer.from('{'), Buffer.from(body), Buffer.from('}')]);
    expect(messages(frame)).toEqual([`text:{${body}}`]);
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
    batcher.queue(a.socket, textFrame([Buffer.from('1')]), done);
    batcher.queue(b.socket, textFrame([Buffer.from('1')]), done);
    await new Promise((r) => setImmediate(r));
    expect([a.writes.length, b.writes.length]).toEqual([1, 1]);
    // within the window: held until it ends, then both frames in one write
    now = 10;
    batcher.queue(a.socket, textFrame([Buffer.from('2')]), done);
    batcher.queue(a.socket, textFrame([Buffer.from('3')]), done);
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
    batcher.queue(a.socket, textFrame([Buffer.from('1')]), () => undefined);
    await new Promise((r) => setImmediate(r));
    batcher.queue(a.socket, textFrame([Buffer.from('2')]), () => undefined);
    await new Promise((r) => setTimeout(r, 45));
    expect(a.writes).toHaveLength(2);
  });

  it('flushes one socket on demand, and reports frames for a closed socket as not written', () => {
    const batcher = new FrameBatcher({ share: 0.1, maxWindowMs: 100, clock: () => 0 });
    const a = fakeSocket();
    const closed = fakeSocket(false);
    const done = jest.fn();
    batcher.queue(a.socket, textFrame([Buffer.from('1')]), done);
    batcher.queue(closed.socket, textFrame([Buffer.from('1')]), done);
    batcher.flushSocket(a.socket);
    expect(a.writes).toHaveLength(1);
    batcher.flush();
    expect(closed.writes).toHaveLength(0);
    expect(done).toHaveBeenCalledWith(expect.any(Error));
  });
});
