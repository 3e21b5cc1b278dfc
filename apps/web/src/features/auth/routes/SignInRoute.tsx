import { useMutation } from '@apollo/client/react';
import { Alert, Anchor, PasswordInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { Link as RouterLink, Navigate, useNavigate, useSearchParams } from 'react-router';
import { homeOf, useSession } from '@/app/session';
import { LoginDocument } from '@/gql/graphql';
import { LINK_COLOR } from '@/components/link-color';
import { apiProblem } from '@/lib/errors';
import { AuthCard } from './AuthCard';
import { AuthForm, EmailInput } from './AuthForm';

/** The sign-in page: e-mail and password; the api answers with the session cookie. */
export function SignInRoute() {
  const { user, refresh } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [login, { loading, error, reset }] = useMutation(LoginDocument);
  const problem = apiProblem(error);
  useEffect(() => {
    document.title = 'Sign in · Staydesk';
  }, []);

  if (user) return <Navigate to={safeNext(params.get('next')) ?? homeOf(user.role)} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    reset();
    const result = await login({ variables: { email, password } }).catch(() => null);
    if (!result?.data) return;
    await refresh();
    navigate(safeNext(params.get('next')) ?? homeOf(result.data.login.user.role), {
      replace: true,
    });
  };

  return (
    <AuthCard title="Sign in" lead="Your support workspace: queue, tickets and customers.">
      <AuthForm
        onSubmit={submit}
        notice={
          params.get('reset') === '1' &&
          !problem && (
            <Alert color="teal" role="status" title="Password changed">
              Sign in with your new password.
            </Alert>
          )
        }
        problem={problem?.message}
        problemTitle="Could not sign in"
        submit="Sign in"
        loading={loading}
        footer={
          <Anchor c={LINK_COLOR} component={RouterLink} to="/forgot-password" size="sm" ta="center">
            Forgot password?
          </Anchor>
        }
      >
        <EmailInput value={email} onChange={setEmail} />
        <PasswordInput
          label="Password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.currentTarget.value)}
        />
      </AuthForm>
    </AuthCard>
  );
}

/** Only same-site paths are followed after sign-in. */
function safeNext(next: string | null): string | null {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : null;
}
