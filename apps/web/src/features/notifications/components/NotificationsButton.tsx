import { ActionIcon, Tooltip } from '@mantine/core';
import { useState } from 'react';

const supported = () => typeof window !== 'undefined' && 'Notification' in window;

/**
 * Desktop notifications are off until the agent turns them on here: the browser's permission
 * prompt appears only after this click, never on its own.
 */
export function NotificationsButton() {
  const [permission, setPermission] = useState<NotificationPermission | 'unsupported'>(() =>
    supported() ? Notification.permission : 'unsupported',
  );
  if (permission === 'unsupported') return null;
  const label =
    permission === 'granted'
      ? 'Desktop notifications are on (change them in the browser’s site settings)'
      : permission === 'denied'
        ? 'Desktop notifications are blocked in this browser’s site settings'
        : 'Turn on desktop notifications';
  return (
    <Tooltip label={label} multiline maw={260}>
      <ActionIcon
        variant={permission === 'granted' ? 'light' : 'default'}
        size="lg"
        aria-label={label}
        aria-pressed={permission === 'granted'}
        onClick={() => {
          if (permission !== 'default') return;
          void Notification.requestPermission().then(setPermission);
        }}
      >
        <svg
          width="18"
          height="18"
          viewBox="0 0 24 24"
          aria-hidden="true"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
          strokeLinecap="round"
          strokeLinejoin="round"
        >
          <path d="M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9" />
          <path d="M10.3 21a1.94 1.94 0 0 0 3.4 0" />
          {permission === 'denied' && <path d="M3 3l18 18" />}
        </svg>
      </ActionIcon>
    </Tooltip>
  );
}
