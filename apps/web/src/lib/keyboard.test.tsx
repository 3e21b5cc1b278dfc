import { fireEvent, render, screen } from '@testing-library/react';
import { useState } from 'react';
import { describe, expect, it } from 'vitest';
import { SHORTCUTS, shortcutFor, type KeyLike } from './keyboard';
import { useShortcuts } from './use-shortcuts';

const key = (k: string, over: Partial<KeyLike> = {}): KeyLike => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  target: { tagName: 'BODY' },
  ...over,
});

describe('keyboard map', () => {
  it('maps the documented keys to their actions', () => {
    expect(shortcutFor(key('j'))).toBe('next');
    expect(shortcutFor(key('k'))).toBe('previous');
    expect(shortcutFor(key('Enter'))).toBe('open');
    expect(shortcutFor(key('r'))).toBe('reply');
    expect(shortcutFor(key('n'))).toBe('note');
    expect(shortcutFor(key('?'))).toBe('help');
    expect(shortcutFor(key('Enter', { ctrlKey: true }))).toBe('send');
    expect(shortcutFor(key('Enter', { metaKey: true }))).toBe('send');
    expect(shortcutFor(key('k', { ctrlKey: true }))).toBe('palette');
    expect(shortcutFor(key('x'))).toBeNull();
  });

  it('leaves letters to text fields but lets chords through', () => {
    const textarea = { tagName: 'TEXTAREA' };
    const input = { tagName: 'INPUT', getAttribute: () => 'email' };
    const checkbox = { tagName: 'INPUT', getAttribute: () => 'checkbox' };
    expect(shortcutFor(key('j', { target: textarea }))).toBeNull();
    expect(shortcutFor(key('r', { target: input }))).toBeNull();
    expect(shortcutFor(key('Enter', { target: input }))).toBeNull();
    expect(shortcutFor(key('j', { target: checkbox }))).toBe('next');
    expect(
      shortcutFor(key('j', { target: { tagName: 'DIV', isContentEditable: true } })),
    ).toBeNull();
    expect(shortcutFor(key('Enter', { target: textarea, ctrlKey: true }))).toBe('send');
    expect(shortcutFor(key('j', { altKey: true }))).toBeNull();
  });

  it('documents every action once, and only the chords work in fields', () => {
    const actions = SHORTCUTS.map((s) => s.action);
    expect(new Set(actions).size).toBe(actions.length);
    expect(
      SHORTCUTS.filter((s) => s.inFields)
        .map((s) => s.action)
        .sort(),
    ).toEqual(['palette', 'send']);
  });

  it('drives a component through useShortcuts, ignoring keys typed into a field', () => {
    function Queue() {
      const [i, setI] = useState(0);
      useShortcuts({ next: () => setI((x) => x + 1), previous: () => setI((x) => x - 1) });
      return (
        <>
          <output aria-label="selected">{i}</output>
          <input aria-label="Search" />
        </>
      );
    }
    render(<Queue />);
    fireEvent.keyDown(window, { key: 'j' });
    fireEvent.keyDown(window, { key: 'j' });
    fireEvent.keyDown(window, { key: 'k' });
    expect(screen.getByLabelText('selected').textContent).toBe('1');
    fireEvent.keyDown(screen.getByLabelText('Search'), { key: 'j' });
    expect(screen.getByLabelText('selected').textContent).toBe('1');
  });
});
