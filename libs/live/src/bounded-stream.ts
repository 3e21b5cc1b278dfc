const isEnd = (x: unknown): boolean => typeof x === 'object' && x !== null && 'end' in x;

/**
 * The source stream of one subscription: events pushed by the hub, pulled by graphql-ws as fast
 * as the socket takes them. The buffer is bounded: a client that falls `capacity` events
 * behind gets one final item (`end(reason)`, e.g. "refetch") and the stream ends, so a slow
 * consumer costs at most `capacity` events of memory. The live path `attach`es a sink instead
 * (sharedSubscribe: frames written straight to the socket, bounded by what the socket has not
 * written yet); the buffer then only carries the end.
 */
export class BoundedStream<T, E> implements AsyncIterableIterator<T | { end: E }> {
  private readonly buffer: (T | { end: E })[] = [];
  private waiting: ((r: IteratorResult<T | { end: E }>) => void) | null = null;
  private closed = false;
  private ending = false;
  private sink: ((item: T) => void) | null = null;

  constructor(
    private readonly capacity: number,
    private readonly onClose: () => void,
    private readonly overflow: E,
  ) {}

  /** False when the stream is over (closed, or ended now because the buffer is full). */
  push(item: T): boolean {
    if (this.closed || this.ending) return false;
    if (this.sink) {
      this.sink(item);
      return true;
    }
    if (this.buffer.length >= this.capacity) {
      this.end(this.overflow);
      return false;
    }
    this.deliver(item);
    return true;
  }

  /**
   * From now on each pushed item goes to `sink` at once (what is buffered first, in order);
   * only the end still comes through `next()`. The sink's owner bounds what it holds itself.
   */
  attach(sink: (item: T) => void): void {
    this.sink = sink;
    while (this.buffer.length > 0 && !isEnd(this.buffer[0])) sink(this.buffer.shift() as T);
  }

  /** Delivers `reason` after what is already buffered (for an overflow: instead of the rest), then ends. */
  end(reason: E): void {
    if (this.closed || this.ending) return;
    this.ending = true;
    if (reason === this.overflow) this.buffer.length = 0;
    this.deliver({ end: reason });
    this.onClose();
  }

  get isOpen(): boolean {
    return !this.closed && !this.ending;
  }

  next(): Promise<IteratorResult<T | { end: E }>> {
    const item = this.buffer.shift();
    if (item !== undefined) return Promise.resolve({ value: item, done: false });
    if (this.closed || this.ending) return this.finish();
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** The consumer stops (client completed, socket closed). */
  return(): Promise<IteratorResult<T | { end: E }>> {
    return this.finish();
  }

  [Symbol.asyncIterator]() {
    return this;
  }

  private deliver(item: T | { end: E }) {
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      w({ value: item, done: false });
    } else {
      this.buffer.push(item);
    }
  }

  private finish(): Promise<IteratorResult<T | { end: E }>> {
    if (!this.closed) {
      this.closed = true;
      this.buffer.length = 0;
      if (!this.ending) this.onClose();
      const w = this.waiting;
      this.waiting = null;
      w?.({ value: undefined, done: true });
    }
    return Promise.resolve({ value: undefined, done: true });
  }
}
