import { BoundedStream } from './bounded-stream';

describe('BoundedStream', () => {
  it('hands items to a waiting reader and buffers the rest in order', async () => {
    const s = new BoundedStream<number, string>(3, () => undefined, 'refetch');
    const first = s.next();
    expect(s.push(1)).toBe(true);
    expect(s.push(2)).toBe(true);
    await expect(first).resolves.toEqual({ value: 1, done: false });
    await expect(s.next()).resolves.toEqual({ value: 2, done: false });
  });

  it('ends a slow reader with the overflow reason instead of growing past its capacity', async () => {
    let closed = 0;
    const s = new BoundedStream<number, string>(2, () => closed++, 'refetch');
    expect(s.push(1)).toBe(true);
    expect(s.push(2)).toBe(true);
    expect(s.push(3)).toBe(false);
    expect(s.isOpen).toBe(false);
    expect(closed).toBe(1);
    await expect(s.next()).resolves.toEqual({ value: { end: 'refetch' }, done: false });
    await expect(s.next()).resolves.toEqual({ value: undefined, done: true });
    expect(s.push(4)).toBe(false);
    expect(closed).toBe(1);
  });

  it('delivers what was buffered before another end reason, then finishes', async () => {
    const s = new BoundedStream<number, string>(5, () => undefined, 'refetch');
    s.push(1);
    s.end('redis down');
    await expect(s.next()).resolves.toEqual({ value: 1, done: false });
    await expect(s.next()).resolves.toEqual({ value: { end: 'redis down' }, done: false });
    await expect(s.next()).resolves.toEqual({ value: undefined, done: true });
  });

  it('releases a pending reader and calls onClose once when the consumer returns', async () => {
    let closed = 0;
    const s = new BoundedStream<number, string>(5, () => closed++, 'refetch');
    const pending = s.next();
    await s.return();
    await expect(pending).resolves.toEqual({ value: undefined, done: true });
    await s.return();
    expect(closed).toBe(1);
    expect(s.push(1)).toBe(false);
  });
});
