import { Button, Group, type MantineColor } from '@mantine/core';
import type { ReactNode } from 'react';

/** The end of a form in a dialog: "Cancel" and the submit button (its label the children). */
export function FormActions({
  onCancel,
  loading,
  disabled,
  color,
  children,
}: {
  onCancel(): void;
  loading?: boolean;
  disabled?: boolean;
  color?: MantineColor;
  children: ReactNode;
}) {
  return (
    <Group justify="flex-end">
      <Button variant="default" onClick={onCancel}>
        Cancel
      </Button>
      <Button type="submit" color={color} loading={loading} disabled={disabled}>
        {children}
      </Button>
    </Group>
  );
}
