import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { runAction } from '../hooks/runAction';

/**
 * "Remove X?": what the change does, "Keep it", and the red button that makes it; it closes
 * when the change is made and says so, and stays open (the reason in a notification) when not.
 */
export function ConfirmDialog({
  opened,
  onClose,
  title,
  confirm,
  loading,
  onConfirm,
  done,
  children,
}: {
  opened: boolean;
  onClose(): void;
  title: string;
  /** the label of the red button */
  confirm: string;
  loading: boolean;
  onConfirm(): Promise<unknown>;
  /** the notification when it is done */
  done: string;
  children: ReactNode;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={title}>
      <Stack>
        <Text size="sm">{children}</Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            Keep it
          </Button>
          <Button
            color="red"
            loading={loading}
            onClick={async () => {
              if (await runAction(onConfirm, done)) onClose();
            }}
          >
            {confirm}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
