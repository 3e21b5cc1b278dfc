import type { WebSocket } from 'ws';

/** The net.Socket under a ws WebSocket, as far as the batcher writes to it. */
interface RawSocket {
  write(data: Buffer, cb: (err?: Error | null) => void): boolean;
}

/** The WebSocket as far as the batcher needs it (ws's WebSocket; a fake one in unit tests). */
export type FrameSocket = Pick<WebSocket, 'send' | 'readyState'> & {
  /**
   * ws's underlying net.Socket: whole frames are written straight to it, in one write per
   * flush. Safe because the server never compresses (no permessage-deflate) or sends blobs, the
   * only cases in which ws's own sender holds frames back, so its writes (pings, graphql-ws's
   * messages, close) and ours never interleave inside a frame.
   */
  _socket?: RawSocket | null;
};

const OPEN = 1;

/**
 * A socket's messages waiting for the next flush: `parts` holds each message's head and body
 * (head, body, head, body, …; a body is usually one event's JSON shared by every socket it goes
 * to), `bytes` the size of their frames together. The frames are built at the flush, straight
 * into the one buffer written to the socket: no buffer per frame, no concatenation.
 */
interface Pending {
  parts: Buffer[];
  bytes: number;
  done: ((err?: Error) => void)[];
}

/** The size of a server's (unmasked) frame header for a payload of `length` bytes. */
const headerSize = (length: number) => (length < 126 ? 2 : length < 65536 ? 4 : 10);

/** Writes a FIN text frame header for a payload of `length` bytes at `at`; returns the next offset. */
function writeHeader(frame: Buffer, at: number, length: number): number {
  frame[at] = 0x81; // FIN, text
  if (length < 126) {
    frame[at + 1] = length;
    return at + 2;
  }
  if (length < 65536) {
    frame[at + 1] = 126;
    frame.writeUInt16BE(length, at + 2);
    return at + 4;
  }
  frame[at + 1] = 127;
  frame.writeUInt32BE(Math.floor(length / 2 ** 32), at + 2);
  frame.writeUInt32BE(length >>> 0, at + 6);
  return at + 10;
}

export interface FrameBatcherOptions {
  /**
   * The share of the process's CPU time that flushes may take before frames wait and coalesce,
   * after a flush that carried about one event (a lone event, or events further apart than the
   * window).
   */
  share: number;
  /**
   * The same, after a flush that carried two events or more per socket on average (events come
   * faster than the window: a stream). Smaller than `share`: under a stream each socket gets
   * fewer, bigger writes, so the writes per second stay bounded whatever the event rate.
   */
  busyShare: number;
  /** The longest a frame waits for the next flush (the bound on added latency). */
  maxWindowMs: number;
  /**
   * When a socket has this many frames waiting, everything is written at once, whatever the
   * window: what the batcher holds stays below a subscription's capacity (frames not yet
   * written), which is how a slow consumer is noticed, so a long window at a high event rate
   * never looks like one.
   */
  maxFrames: number;
  /** Milliseconds, for timing (performance.now). */
  clock?: () => number;
  /** CPU time of this process in milliseconds (process.cpuUsage). */
  cpu?: () => number;
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/**
 * Sends the frames of live events to their sockets, all of a socket's waiting frames in one
 * write. With many subscribers and many events, one write per socket per event was most of the
 * api's CPU (and of the kernel's: each write to a socket is a syscall and a TCP segment), so
 * the batcher limits how often it writes instead of how much. The window adapts to the stream:
 *
 * - The first frame after a quiet moment leaves at once (on the next turn of the event loop, so
 *   one event's fan-out to every socket is one flush): a lone event is not delayed.
 * - After a flush that took C ms of CPU, the next one waits until C × (1 − s) / s ms have
 *   passed, at most `maxWindowMs`, and frames that come meanwhile go out together. s is `share`
 *   after a flush that carried about one event per socket, and the smaller `busyShare` after
 *   one that carried two or more (events come faster than the window): flushes take at most
 *   about `share` of the process for lone events and `busyShare` under a stream. A few sockets
 *   flush in microseconds, so they wait for nothing; 500 sockets under a stream of events get
 *   one write every `maxWindowMs` (250 ms), whatever the event rate.
 * - So a frame waits at most `maxWindowMs` (plus the flush itself) in any case; a lone event
 *   after a window has passed waits for nothing.
 * - When a socket has `maxFrames` frames waiting, everything is written at once and the next
 *   window starts (a high event rate within a long window must not look like a slow consumer):
 *   under a stream each socket gets max(1 / `maxWindowMs`, rate / `maxFrames`) writes a second.
 *
 * `done` is called once per frame when it was written (or could not be: the socket closed),
 * which is what a subscription counts to notice a consumer that does not keep up.
 */
export class FrameBatcher {
  private pending = new Map<FrameSocket, Pending>();
  private scheduled:
    | { immediate: NodeJS.Immediate; timeout?: undefined }
    | { immediate?: undefined; timeout: NodeJS.Timeout }
    | null = null;
  private nextFlush = -Infinity;
  /**
   * Frames queued since the last flush (over `pending.size`: about the events per socket since
   * the last flush; those a subscription's end wrote early with flushSocket count too).
   */
  private frames = 0;
  private readonly clock: () => number;
  private readonly cpu: () => number;

  constructor(private readonly options: FrameBatcherOptions) {
    this.clock = options.clock ?? (() => performance.now());
    this.cpu = options.cpu ?? cpuMs;
  }

  /**
   * Queues one text message for `socket`: `head` followed by `body` (framed at the flush; the
   * same `body` may be queued for many sockets, it is not copied until then).
   */
  queue(socket: FrameSocket, head: Buffer, body: Buffer, done: (err?: Error) => void): void {
    let p = this.pending.get(socket);
    if (!p) this.pending.set(socket, (p = { parts: [], bytes: 0, done: [] }));
    const length = head.length + body.length;
    p.parts.push(head, body);
    p.bytes += headerSize(length) + length;
    p.done.push(done);
    this.frames++;
    if (p.done.length >= this.options.maxFrames) {
      // every socket now: the subscribers of a stream fill up together, so writing only this
      // one would leave the others for a second write at the window's end
      this.flush();
      return;
    }
    if (this.scheduled) return;
    const wait = this.nextFlush - this.clock();
    this.scheduled =
      wait <= 0
        ? { immediate: setImmediate(() => this.flush()) }
        : { timeout: setTimeout(() => this.flush(), wait) };
  }

  /** Sends what waits for `socket` now (before a message that must not overtake it). */
  flushSocket(socket: FrameSocket): void {
    const p = this.pending.get(socket);
    if (!p) return;
    this.pending.delete(socket);
    this.write(socket, p);
  }

  /** Sends everything now. */
  flush(): void {
    if (this.scheduled) {
      if (this.scheduled.immediate) clearImmediate(this.scheduled.immediate);
      else clearTimeout(this.scheduled.timeout);
      this.scheduled = null;
    }
    const pending = this.pending;
    if (pending.size === 0) {
      // what was waiting went out with flushSocket (a subscription ending): the window stands
      this.frames = 0;
      return;
    }
    // a stream: on average every socket got two events' frames or more since the last flush
    const stream = this.frames >= 2 * pending.size;
    this.pending = new Map();
    this.frames = 0;
    const cpu = this.cpu();
    for (const [socket, p] of pending) this.write(socket, p);
    const cost = this.cpu() - cpu;
    const { maxWindowMs } = this.options;
    const share = stream ? this.options.busyShare : this.options.share;
    this.nextFlush = this.clock() + Math.min(maxWindowMs, (cost * (1 - share)) / share);
  }

  private write(socket: FrameSocket, p: Pending) {
    const raw = socket._socket;
    if (socket.readyState !== OPEN || !raw) {
      const closed = new Error('the socket is closed');
      for (const done of p.done) done(closed);
      return;
    }
    // every frame in one buffer: one copy of each part, one write
    const data = Buffer.allocUnsafe(p.bytes);
    const parts = p.parts;
    let at = 0;
    for (let i = 0; i < parts.length; i += 2) {
      const head = parts[i];
      const body = parts[i + 1];
      at = writeHeader(data, at, head.length + body.length);
      data.set(head, at);
      at += head.length;
      data.set(body, at);
      at += body.length;
    }
    raw.write(data, (err) => {
      for (const done of p.done) done(err ?? undefined);
    });
  }
}
