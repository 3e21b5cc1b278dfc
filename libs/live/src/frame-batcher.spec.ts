import * as ws from 'ws';
import { FrameBatcher, FrameBatcherOptions, FrameSocket } from './frame-batcher';

/** Options with the stream's share and the per-socket limit out of the way unless a test sets them. */
const opts = (o: Partial<FrameBatcherOptions> & { share: number; maxWindowMs: number }) => ({
  busyShare: o.share,
  maxFrames: 1000,
  ...o,
});

/** A socket that records what was written to it (the raw bytes, one entry per write). */
function fakeSocket(open = true) {
  const writes: Buffer[] = [];
  /** When each write was made (Date.now: the fake clock under fake timers). */
  const times: number[] = [];
  const socket: FrameSocket = {
    readyState: open ? 1 : 3,
    send: () => undefined,
    _socket: {
      write: (data, cb) => {
        writes.push(Buffer.from(data));
        times.push(Date.now());
        setImmediate(() => cb());
        return true;
      },
    },
  };
  return { socket, writes, times };
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
    const batcher = new FrameBatcher(opts({ share: 0.1, maxWindowMs: 100, clock: () => 0 }));
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
    const batcher = new FrameBatcher(
      opts({ share: 0.2, maxWindowMs: 1000, clock: () => now, cpu: () => (cpu += 25) }),
    );
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
    const batcher = new FrameBatcher(
      opts({ share: 0.01, maxWindowMs: 30, clock: () => now, cpu: () => (cpu += 50) }),
    );
    const a = fakeSocket();
    queue(batcher, a.socket, '1');
    await new Promise((r) => setImmediate(r));
    queue(batcher, a.socket, '2');
    await new Promise((r) => setTimeout(r, 45));
    expect(a.writes).toHaveLength(2);
  });

  it('flushes one socket on demand, and reports frames for a closed socket as not written', () => {
    const batcher = new FrameBatcher(opts({ share: 0.1, maxWindowMs: 100, clock: () => 0 }));
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

describe('FrameBatcher, adaptive window (fake timers)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /**
   * A batcher on the fake clock whose flushes "cost" `cost` ms of CPU each: with share 10 %
   * the window after a lone event is 9 × cost, with busyShare 1 % it is 99 × cost (≤ 250 ms).
   */
  const setup = (cost = 2, maxFrames = 1000) => {
    let cpu = 0;
    let flushes = 0;
    const batcher = new FrameBatcher({
      share: 0.1,
      busyShare: 0.01,
      maxWindowMs: 250,
      maxFrames,
      clock: () => Date.now(),
      // called twice per flush (before and after the writes)
      cpu: () => (flushes++ % 2 === 1 ? (cpu += cost) : cpu),
    });
    const sockets = [fakeSocket(), fakeSocket(), fakeSocket()];
    /** One event's frame to every socket (as the hub's loop queues it). */
    const event = (text: string) => {
      for (const s of sockets) queue(batcher, s.socket, text);
    };
    const writes = () => sockets.map((s) => s.writes.length);
    return { batcher, sockets, event, writes };
  };

  it('sends lone events at once, each one, when they are further apart than the window', () => {
    const { event, writes, sockets } = setup(2); // window after a lone flush: 18 ms
    for (let i = 0; i < 5; i++) {
      event(`lone-${i}`);
      jest.advanceTimersByTime(0); // the next turn of the event loop
      expect(writes()).toEqual([i + 1, i + 1, i + 1]);
      jest.advanceTimersByTime(150); // the one-at-a-time bench's spacing
    }
    expect(messages(Buffer.concat(sockets[2].writes))).toEqual(
      [0, 1, 2, 3, 4].map((i) => `text:lone-${i}`),
    );
  });

  it('under a stream, writes each socket once per maxWindowMs whatever the event rate, and no frame waits longer', () => {
    const { event, writes, sockets } = setup(5); // lone window 45 ms; stream window 495 → 250 ms
    const queuedAt = new Map<string, number>();
    // 200 events per second for 2 s
    for (let i = 0; i < 400; i++) {
      const text = `e-${i}`;
      queuedAt.set(`text:${text}`, Date.now());
      event(text);
      jest.advanceTimersByTime(5);
    }
    jest.advanceTimersByTime(300);
    const writtenAt = new Map<string, number>();
    sockets[0].writes.forEach((w, i) => {
      for (const m of messages(w)) writtenAt.set(m, sockets[0].times[i]);
    });
    // every frame written once, in order
    expect([...writtenAt.keys()]).toEqual([...queuedAt.keys()]);
    // the first (lone) event at once, then one 45 ms window, then 250 ms windows: ~10 writes
    // per socket for 400 events instead of 400 (or 2 s ÷ 45 ms = 44 at the lone share)
    expect(writes()[0]).toBeGreaterThanOrEqual(8);
    expect(writes()[0]).toBeLessThanOrEqual(11);
    expect(new Set(writes()).size).toBe(1);
    const waits = [...queuedAt].map(([m, t]) => writtenAt.get(m)! - t);
    expect(Math.max(...waits)).toBeLessThanOrEqual(250);
    expect(waits[0]).toBe(0);
  });

  it('goes back to the lone share after a quiet moment', () => {
    const { event, writes } = setup(5);
    // a burst: 20 events 5 ms apart (the windows grow to 250 ms)
    for (let i = 0; i < 20; i++) {
      event(`b-${i}`);
      jest.advanceTimersByTime(5);
    }
    jest.advanceTimersByTime(300);
    const afterBurst = writes()[0];
    // quiet for longer than the last (250 ms) window: a lone event leaves at once
    jest.advanceTimersByTime(200);
    event('lone');
    jest.advanceTimersByTime(0);
    expect(writes()[0]).toBe(afterBurst + 1);
    // and it carried one event, so the next window is the lone one (45 ms), not 250 ms
    jest.advanceTimersByTime(50);
    event('next');
    jest.advanceTimersByTime(0);
    expect(writes()[0]).toBe(afterBurst + 2);
  });

  it('writes every socket at once when one has maxFrames frames waiting, then waits for the stream window', () => {
    const { event, writes, sockets } = setup(5, 4); // lone window 45 ms, stream window 250 ms
    event('0');
    jest.advanceTimersByTime(0); // lone: written
    // within the window: a socket reaches 4 frames at events 4 and 7, and all are written then
    for (let i = 1; i <= 8; i++) event(String(i));
    expect(writes()).toEqual([3, 3, 3]);
    for (const s of sockets) {
      expect(messages(Buffer.concat(s.writes)).length).toBeGreaterThanOrEqual(7);
      for (const w of s.writes) expect(messages(w).length).toBeLessThanOrEqual(4);
    }
    // the rest waits for the stream's window (250 ms), not the lone one (45 ms)
    jest.advanceTimersByTime(249);
    expect(writes()).toEqual([3, 3, 3]);
    jest.advanceTimersByTime(1);
    expect(writes()).toEqual([4, 4, 4]);
    for (const s of sockets) {
      expect(messages(Buffer.concat(s.writes))).toEqual(
        ['0', '1', '2', '3', '4', '5', '6', '7', '8'].map((m) => `text:${m}`),
      );
    }
  });

  it('never holds more than maxFrames frames for a socket, even in one burst of events', () => {
    const { event, sockets } = setup(5, 4);
    // a relayed batch: 30 events dispatched in one turn of the event loop
    for (let i = 0; i < 30; i++) event(String(i));
    jest.advanceTimersByTime(300);
    for (const s of sockets) {
      for (const w of s.writes) expect(messages(w).length).toBeLessThanOrEqual(4);
      expect(messages(Buffer.concat(s.writes))).toEqual(
        Array.from({ length: 30 }, (_, i) => `text:${i}`),
      );
    }
  });
});
