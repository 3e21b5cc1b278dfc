import { Alert, Anchor, Button, Stack, TextInput } from '@mantine/core';
import type { FormEvent, ReactNode } from 'react';
import { Link as RouterLink } from 'react-router';
import { LINK_COLOR } from '@/components/link-color';

/**
 * The form of a signed-out page: the browser's own validation off, `notice` and the api's
 * problem on top, the fields, the full-width submit button, then `footer` (links).
 */
export function AuthForm({
  onSubmit,
  notice,
  problem,
  problemTitle,
  submit,
  loading,
  footer,
  children,
}: {
  onSubmit(e: FormEvent): unknown;
  notice?: ReactNode;
  problem: string | null | undefined;
  problemTitle?: string;
  /** the submit button's label */
  submit: string;
  loading: boolean;
  footer?: ReactNode;
  children: ReactNode;
}) {
  return (
    <form onSubmit={(e) => void onSubmit(e)} noValidate>
      <Stack>
        {notice}
        {problem && (
          <Alert color="red" role="alert" title={problemTitle}>
            {problem}
          </Alert>
        )}
        {children}
        <Button type="submit" loading={loading} fullWidth>
          {submit}
        </Button>
        {footer}
      </Stack>
    </form>
  );
}

/** The address an account signs in with (the browser offers the saved one). */
export function EmailInput({
  value,
  onChange,
  error,
}: {
  value: string;
  onChange(value: string): void;
  error?: string | null;
}) {
  return (
    <TextInput
      label="Email"
      type="email"
      autoComplete="username"
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      error={error}
      autoFocus
    />
  );
}

/** The way back from the password pages. */
export function BackToSignIn() {
  return (
    <Anchor c={LINK_COLOR} component={RouterLink} to="/sign-in" size="sm">
      Back to sign in
    </Anchor>
  );
}
