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

interface Pending {
  frames: Buffer[];
  bytes: number;
  done: ((err?: Error) => void)[];
}

/**
 * One unmasked text frame (a server's frames are never masked) holding `parts` as its payload.
 */
export function textFrame(parts: Buffer[]): Buffer {
  let length = 0;
  for (const p of parts) length += p.length;
  const head = length < 126 ? 2 : length < 65536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(head + length);
  frame[0] = 0x81; // FIN, text
  if (head === 2) frame[1] = length;
  else if (head === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  let at = head;
  for (const p of parts) at += p.copy(frame, at);
  return frame;
}

/**
 * Sends the frames of live events to their sockets, at most once per `windowMs` per process:
 * the first frame after a quiet window leaves at once (on the next turn of the event loop, so
 * one event's fan-out to every socket is one flush); frames that come within `windowMs` of the
 * last flush wait for the end of that window. All of a socket's frames of one flush go out in
 * one write: one syscall per socket per flush instead of one per socket per event, which with
 * many subscribers and many events was most of the api's CPU (and of the kernel's).
 *
 * `done` is called once per frame when it was written (or could not be: the socket closed),
 * which is what a subscription counts to notice a consumer that does not keep up.
 */
export class FrameBatcher {
  private pending = new Map<FrameSocket, Pending>();
  private scheduled: NodeJS.Immediate | NodeJS.Timeout | null = null;
  private lastFlush = -Infinity;

  constructor(
    private readonly windowMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {}

  /** Queues one complete frame (`textFrame`) for `socket`. */
  queue(socket: FrameSocket, frame: Buffer, done: (err?: Error) => void): void {
    let p = this.pending.get(socket);
    if (!p) this.pending.set(socket, (p = { frames: [], bytes: 0, done: [] }));
    p.frames.push(frame);
    p.bytes += frame.length;
    p.done.push(done);
    if (this.scheduled) return;
    const wait = this.lastFlush + this.windowMs - this.clock();
    this.scheduled =
      wait <= 0 ? setImmediate(() => this.flush()) : setTimeout(() => this.flush(), wait);
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
      clearTimeout(this.scheduled as NodeJS.Timeout);
      clearImmediate(this.scheduled as NodeJS.Immediate);
      this.scheduled = null;
    }
    this.lastFlush = this.clock();
    const pending = this.pending;
    this.pending = new Map();
    for (const [socket, p] of pending) this.write(socket, p);
  }

  private write(socket: FrameSocket, p: Pending) {
    const raw = socket._socket;
    if (socket.readyState !== OPEN || !raw) {
      const closed = new Error('the socket is closed');
      for (const done of p.done) done(closed);
      return;
    }
    const data = p.frames.length === 1 ? p.frames[0] : Buffer.concat(p.frames, p.bytes);
    raw.write(data, (err) => {
      for (const done of p.done) done(err ?? undefined);
    });
  }
}
