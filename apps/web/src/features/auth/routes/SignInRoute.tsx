import { useMutation } from '@apollo/client/react';
import {
  Alert,
  Anchor,
  Button,
  Center,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { Link as RouterLink, Navigate, useNavigate, useSearchParams } from 'react-router';
import { homeOf, useSession } from '@/app/session';
import { LoginDocument } from '@/gql/graphql';
import { LINK_COLOR } from '@/components/link-color';
import { apiProblem } from '@/lib/errors';

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
    <Center mih="100vh" p="md" bg="var(--mantine-color-body)">
      <Paper component="main" withBorder shadow="sm" p="xl" radius="lg" w="100%" maw={400}>
        <form onSubmit={submit} noValidate>
          <Stack>
            <div>
              <Text fw={800} size="lg" c="var(--sd-brand)">
                Staydesk
              </Text>
              <Title order={1} size="h2">
                Sign in
              </Title>
              <Text c="dimmed" size="sm">
                Your support workspace: queue, tickets and customers.
              </Text>
            </div>
            {params.get('reset') === '1' && !problem && (
              <Alert color="teal" role="status" title="Password changed">
                Sign in with your new password.
              </Alert>
            )}
            {problem && (
              <Alert color="red" role="alert" title="Could not sign in">
                {problem.message}
              </Alert>
            )}
            <TextInput
              label="Email"
              type="email"
              autoComplete="username"
              value={email}
              onChange={(e) => setEmail(e.currentTarget.value)}
              autoFocus
            />
            <PasswordInput
              label="Password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            <Button type="submit" loading={loading} fullWidth>
              Sign in
            </Button>
            <Anchor
              c={LINK_COLOR}
              component={RouterLink}
              to="/forgot-password"
              size="sm"
              ta="center"
            >
              Forgot password?
            </Anchor>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}

/** Only same-site paths are followed after sign-in. */
function safeNext(next: string | null): string | null {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : null;
}
