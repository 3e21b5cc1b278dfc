import { act, renderHook, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { useDrillList, type CursorPage, type DrillListTarget } from './drill-list';

type Target = DrillListTarget<{ label: string }>;
const target = (figure: string): Target => ({
  figure,
  scope: 'All',
  options: [{ label: 'A' }, { label: 'B' }],
});
const page = (edges: string[], next: string | null, totalCount: number | null) => ({
  edges,
  totalCount,
  pageInfo: { hasNextPage: next != null, endCursor: next },
});

/** Answers by hand: each request waits until the test resolves it. */
function manual() {
  const calls: { key: string; resolve(p: CursorPage<string>): void }[] = [];
  const fetchPage = (t: Target, o: { label: string }, after: string | null) =>
    new Promise<CursorPage<string>>((resolve) =>
      calls.push({ key: `${t.figure}/${o.label}/${after ?? ''}`, resolve }),
    );
  return { calls, fetchPage };
}

describe('useDrillList', () => {
  it('pages on by cursor and keeps the count when a later page is not counted', async () => {
    const api = manual();
    const first = target('one');
    const { result } = renderHook(() => useDrillList(first, api.fetchPage));
    await waitFor(() => expect(api.calls.map((c) => c.key)).toEqual(['one/A/']));
    await act(async () => api.calls[0].resolve(page(['a1'], 'c1', 2)));
    expect(result.current).toMatchObject({ edges: ['a1'], total: 2, next: 'c1', loading: false });
    act(() => result.current.loadMore());
    await act(async () => api.calls[1].resolve(page(['a2'], null, null)));
    expect(api.calls[1].key).toBe('one/A/c1');
    expect(result.current).toMatchObject({ edges: ['a1', 'a2'], total: 2, next: null });
  });

  it('drops the answer to an earlier target and starts a new one at its first list', async () => {
    const api = manual();
    const { result, rerender } = renderHook(({ t }) => useDrillList(t, api.fetchPage), {
      initialProps: { t: target('one') },
    });
    act(() => result.current.setChoice(1));
    rerender({ t: target('two') });
    await waitFor(() => expect(api.calls.at(-1)?.key).toBe('two/A/'));
    expect(result.current.choice).toBe(0);
    await act(async () => api.calls.at(-1)!.resolve(page(['t1'], null, 1)));
    // a late answer for the first target changes nothing
    await act(async () => {
      for (const c of api.calls.slice(0, -1)) c.resolve(page(['stale'], 'x', 9));
    });
    expect(result.current).toMatchObject({ edges: ['t1'], total: 1, next: null, loading: false });
  });
});
