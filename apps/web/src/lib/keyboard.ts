/**
 * The keyboard map of the workspace: one table, shown by `?` and used by the handlers, so the
 * help cannot drift from what the keys do.
 */
export type ShortcutAction =
  'next' | 'previous' | 'open' | 'reply' | 'note' | 'send' | 'palette' | 'help';

export interface Shortcut {
  action: ShortcutAction;
  keys: string;
  description: string;
  /** Works while typing in a text field (only chords with Ctrl/Cmd do). */
  inFields: boolean;
}

export const SHORTCUTS: Shortcut[] = [
  { action: 'next', keys: 'j', description: 'Next ticket in the queue', inFields: false },
  { action: 'previous', keys: 'k', description: 'Previous ticket in the queue', inFields: false },
  { action: 'open', keys: 'Enter', description: 'Open the selected ticket', inFields: false },
  { action: 'reply', keys: 'r', description: 'Write a public reply', inFields: false },
  { action: 'note', keys: 'n', description: 'Write an internal note', inFields: false },
  { action: 'send', keys: 'Ctrl+Enter', description: 'Send the reply or note', inFields: true },
  {
    action: 'palette',
    keys: 'Ctrl+K',
    description: 'Jump to a ticket or a customer',
    inFields: true,
  },
  { action: 'help', keys: '?', description: 'Show these shortcuts', inFields: false },
];

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  shiftKey?: boolean;
  /** The element the key went to. */
  target: {
    tagName?: string;
    isContentEditable?: boolean;
    getAttribute?(n: string): string | null;
  } | null;
}

function isTextField(target: KeyLike['target']): boolean {
  if (!target) return false;
  const tag = (target.tagName ?? '').toUpperCase();
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (target.isContentEditable) return true;
  if (tag === 'INPUT') {
    const type = (target.getAttribute?.('type') ?? 'text').toLowerCase();
    return !['checkbox', 'radio', 'button', 'submit'].includes(type);
  }
  return false;
}

/** The action a key press means, or null. Letters are ignored while typing in a field. */
export function shortcutFor(e: KeyLike): ShortcutAction | null {
  const chord = e.ctrlKey || e.metaKey;
  if (chord && !e.altKey) {
    if (e.key === 'Enter') return 'send';
    if (e.key.toLowerCase() === 'k') return 'palette';
    return null;
  }
  if (e.altKey || e.ctrlKey || e.metaKey || isTextField(e.target)) return null;
  switch (e.key) {
    case 'j':
      return 'next';
    case 'k':
      return 'previous';
    case 'Enter':
      return 'open';
    case 'r':
      return 'reply';
    case 'n':
      return 'note';
    case '?':
      return 'help';
    default:
      return null;
  }
}
