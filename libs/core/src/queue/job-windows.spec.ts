import { windowJobId, windowOf } from './job-windows';

describe('debounce windows', () => {
  it('numbers windows from the epoch and ends each at the next one’s start', () => {
    expect(windowOf(10_000, 5000)).toEqual({ window: 2, endsAt: 15_000 });
    expect(windowOf(14_999, 5000)).toEqual({ window: 2, endsAt: 15_000 });
    expect(windowOf(15_000, 5000)).toEqual({ window: 3, endsAt: 20_000 });
    // a debounce of 0: windows of 1 ms, due at once
    expect(windowOf(1234, 0)).toEqual({ window: 1234, endsAt: 1235 });
  });

  it('gives a window job the deterministic id of its window (no ":", BullMQ’s separator)', () => {
    expect(windowJobId('risk.rescore-window', 356_000_000)).toBe('risk-window-356000000');
    expect(windowJobId('risk.rescore-window', 1)).not.toBe(windowJobId('risk.rescore-window', 2));
  });
});
