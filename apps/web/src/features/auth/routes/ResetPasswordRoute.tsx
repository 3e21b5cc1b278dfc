import { useMutation } from '@apollo/client/react';
import { Alert, Button, PasswordInput, Stack } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { Link as RouterLink, useNavigate, useSearchParams } from 'react-router';
import { ResetPasswordDocument } from '@/gql/graphql';
import { apiProblem, fieldMessage } from '@/lib/errors';
import { AuthCard } from './AuthCard';
import { AuthForm, BackToSignIn } from './AuthForm';

const MIN_LENGTH = 10;

/** What a link that no longer works says, by the api's code. */
const LINK_PROBLEM: Record<string, string> = {
  TOKEN_EXPIRED: 'This link has expired (links work for an hour).',
  TOKEN_USED: 'This link was already used.',
  TOKEN_INVALID: 'This link is not valid: copy the whole link from the mail.',
};

/** `/reset-password?token=…`: the page of a reset link; a new password, then sign in. */
export function ResetPasswordRoute() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const navigate = useNavigate();
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [errors, setErrors] = useState<{ password?: string; repeat?: string }>({});
  const [linkProblem, setLinkProblem] = useState<string | null>(
    token ? null : LINK_PROBLEM.TOKEN_INVALID,
  );
  const [formError, setFormError] = useState<string | null>(null);
  const [resetPassword, { loading }] = useMutation(ResetPasswordDocument);
  useEffect(() => {
    document.title = 'Choose a new password · Staydesk';
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    const local: typeof errors = {};
    if (password.length < MIN_LENGTH) local.password = `Use at least ${MIN_LENGTH} characters.`;
    else if (repeat !== password) local.repeat = 'The two passwords differ.';
    setErrors(local);
    if (local.password || local.repeat) return;
    try {
      await resetPassword({ variables: { token, newPassword: password } });
      navigate('/sign-in?reset=1', { replace: true });
    } catch (err) {
      const p = apiProblem(err);
      if (p && LINK_PROBLEM[p.code]) setLinkProblem(LINK_PROBLEM[p.code]);
      else if (p?.code === 'BAD_USER_INPUT' && p.field === 'newPassword')
        setErrors({ password: fieldMessage(p) });
      else setFormError(p?.message ?? 'The password was not changed.');
    }
  };

  return (
    <AuthCard
      title="Choose a new password"
      lead="Setting it signs you out everywhere; then sign in with the new one."
    >
      {linkProblem ? (
        <Stack>
          <Alert color="red" role="alert" title="This link does not work">
            {linkProblem} Ask for a new one; the newest link always works.
          </Alert>
          <Button component={RouterLink} to="/forgot-password" variant="light">
            Send a new link
          </Button>
          <BackToSignIn />
        </Stack>
      ) : (
        <AuthForm onSubmit={submit} problem={formError} submit="Set new password" loading={loading}>
          <PasswordInput
            label="New password"
            description={`At least ${MIN_LENGTH} characters.`}
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            error={errors.password}
            autoFocus
          />
          <PasswordInput
            label="Repeat the new password"
            autoComplete="new-password"
            value={repeat}
            onChange={(e) => setRepeat(e.currentTarget.value)}
            error={errors.repeat}
          />
        </AuthForm>
      )}
    </AuthCard>
  );
}
