/**
 * What an agent types is never lost: the composer's text is kept per ticket in localStorage on
 * every change, survives reloads and failed sends, and is removed only after a send succeeded.
 */
export type ComposerMode = 'reply' | 'note';

export interface Draft {
  mode: ComposerMode;
  body: string;
  /** ms since epoch of the last change */
  savedAt: number;
}

const PREFIX = 'staydesk.draft.';
/** Drafts older than this are dropped when the store is read (30 days). */
export const DRAFT_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

export interface DraftStore {
  get(ticketId: string): Draft | null;
  save(ticketId: string, draft: Omit<Draft, 'savedAt'>): void;
  clear(ticketId: string): void;
  /** Ticket ids with a non-empty draft. */
  list(): string[];
}

export function createDraftStore(
  storage: Storage = window.localStorage,
  now: () => number = Date.now,
): DraftStore {
  const key = (id: string) => `${PREFIX}${id}`;
  const read = (id: string): Draft | null => {
    try {
      const raw = storage.getItem(key(id));
      if (!raw) return null;
      const d = JSON.parse(raw) as Partial<Draft>;
      if (typeof d.body !== 'string' || (d.mode !== 'reply' && d.mode !== 'note')) return null;
      const savedAt = typeof d.savedAt === 'number' ? d.savedAt : 0;
      if (now() - savedAt > DRAFT_MAX_AGE_MS) {
        storage.removeItem(key(id));
        return null;
      }
      return { mode: d.mode, body: d.body, savedAt };
    } catch {
      return null; // unreadable entry: treat as no draft
    }
  };
  return {
    get: read,
    save(id, draft) {
      if (draft.body.trim() === '') {
        storage.removeItem(key(id));
        return;
      }
      try {
        storage.setItem(key(id), JSON.stringify({ ...draft, savedAt: now() }));
      } catch {
        // storage full or disabled: the text stays in the composer
      }
    },
    clear(id) {
      storage.removeItem(key(id));
    },
    list() {
      const ids: string[] = [];
      for (let i = 0; i < storage.length; i++) {
        const k = storage.key(i);
        if (k?.startsWith(PREFIX) && read(k.slice(PREFIX.length))) ids.push(k.slice(PREFIX.length));
      }
      return ids;
    },
  };
}
