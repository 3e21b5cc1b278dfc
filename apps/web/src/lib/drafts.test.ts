import { describe, expect, it } from 'vitest';
import { DRAFT_MAX_AGE_MS, createDraftStore } from './drafts';

describe('draft store', () => {
  it('keeps a draft per ticket across store instances (a reload) until cleared', () => {
    const a = createDraftStore(window.localStorage);
    a.save('12', { mode: 'note', body: 'checked the logs' });
    a.save('13', { mode: 'reply', body: 'hello' });
    const b = createDraftStore(window.localStorage); // a new page load reads the same storage
    expect(b.get('12')).toMatchObject({ mode: 'note', body: 'checked the logs' });
    expect(b.get('13')).toMatchObject({ mode: 'reply', body: 'hello' });
    expect(b.list().sort()).toEqual(['12', '13']);
    b.clear('12');
    expect(createDraftStore(window.localStorage).get('12')).toBeNull();
  });

  it('drops an emptied draft instead of storing whitespace', () => {
    const s = createDraftStore(window.localStorage);
    s.save('7', { mode: 'reply', body: 'x' });
    s.save('7', { mode: 'reply', body: '   ' });
    expect(s.get('7')).toBeNull();
    expect(window.localStorage.length).toBe(0);
  });

  it('forgets drafts older than 30 days and ignores unreadable entries', () => {
    let now = 1_000_000;
    const s = createDraftStore(window.localStorage, () => now);
    s.save('1', { mode: 'reply', body: 'old text' });
    now += DRAFT_MAX_AGE_MS + 1;
    expect(s.get('1')).toBeNull();
    window.localStorage.setItem('staydesk.draft.2', '{not json');
    window.localStorage.setItem('staydesk.draft.3', JSON.stringify({ mode: 'shout', body: 'x' }));
    expect(s.get('2')).toBeNull();
    expect(s.get('3')).toBeNull();
  });

  it('survives a full storage by keeping the text where it is', () => {
    const full = {
      ...window.localStorage,
      length: 0,
      key: () => null,
      getItem: () => null,
      removeItem: () => undefined,
      clear: () => undefined,
      setItem: () => {
        throw new DOMException('quota', 'QuotaExceededError');
      },
    } as Storage;
    expect(() => createDraftStore(full).save('1', { mode: 'reply', body: 'x' })).not.toThrow();
  });
});
