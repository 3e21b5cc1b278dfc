import { useEffect, useRef } from 'react';
import { shortcutFor, type ShortcutAction } from './keyboard';

type Handlers = Partial<Record<ShortcutAction, (e: KeyboardEvent) => void>>;

/** Calls the handler of the shortcut a key press means (see SHORTCUTS in keyboard.ts). */
export function useShortcuts(handlers: Handlers) {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.isComposing) return;
      // a dialog (palette, help, menus) owns the keyboard while it is open
      if (document.querySelector('[role="dialog"][aria-modal="true"]')) return;
      const action = shortcutFor({
        key: e.key,
        ctrlKey: e.ctrlKey,
        metaKey: e.metaKey,
        altKey: e.altKey,
        shiftKey: e.shiftKey,
        target: e.target as HTMLElement | null,
      });
      const handler = action ? ref.current[action] : undefined;
      if (!handler) return;
      e.preventDefault();
      handler(e);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
