import { Alert, Stack, type MantineSpacing } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';

/**
 * An admin form: the browser's own validation off (the api's messages stand next to the
 * fields), and the error that names no field above them, after `intro`.
 */
export function AdminForm({
  onSubmit,
  error,
  label,
  gap,
  intro,
  children,
}: {
  onSubmit(e: FormEvent): unknown;
  error: string | null;
  /** the form's accessible name, where a page has several */
  label?: string;
  gap?: MantineSpacing;
  intro?: ReactNode;
  children: ReactNode;
}) {
  // Stack is not polymorphic in its types: the form's own props go in untyped
  const form: Record<string, unknown> = {
    onSubmit: (e: FormEvent) => void onSubmit(e),
    noValidate: true,
  };
  return (
    <Stack component="form" gap={gap} {...form} aria-label={label}>
      {intro}
      {error && <Alert color="red">{error}</Alert>}
      {children}
    </Stack>
  );
}
