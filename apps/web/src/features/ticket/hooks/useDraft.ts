import { useCallback, useMemo, useState } from 'react';
import { createDraftStore, type ComposerMode } from '@/lib/drafts';

/** The composer's text and mode for one ticket, saved to the draft store on every change. */
export function useDraft(ticketId: string) {
  const store = useMemo(() => createDraftStore(), []);
  const [state, setState] = useState(() => {
    const d = store.get(ticketId);
    return { mode: d?.mode ?? ('reply' as ComposerMode), body: d?.body ?? '', ticketId };
  });
  // another ticket opened in the same component: load its draft
  let current = state;
  if (state.ticketId !== ticketId) {
    const d = store.get(ticketId);
    current = { mode: d?.mode ?? 'reply', body: d?.body ?? '', ticketId };
    setState(current);
  }
  const update = useCallback(
    (patch: Partial<{ mode: ComposerMode; body: string }>) => {
      setState((s) => {
        const next = { ...s, ...patch };
        store.save(next.ticketId, { mode: next.mode, body: next.body });
        return next;
      });
    },
    [store],
  );
  const clear = useCallback(() => {
    store.clear(ticketId);
    setState((s) => ({ ...s, body: '' }));
  }, [store, ticketId]);
  return { mode: current.mode, body: current.body, update, clear };
}
