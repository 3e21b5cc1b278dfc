import { useMutation } from '@apollo/client/react';
import { Alert, Stack } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { RequestPasswordResetDocument } from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { AuthCard } from './AuthCard';
import { AuthForm, BackToSignIn, EmailInput } from './AuthForm';

/**
 * "Forgot password?": asks for a reset link. The answer is the same whether or not the address
 * has an account (the api never says), so the page says what happens if it does.
 */
export function ForgotPasswordRoute() {
  const [email, setEmail] = useState('');
  const [emailError, setEmailError] = useState<string | null>(null);
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [request, { loading, error, reset }] = useMutation(RequestPasswordResetDocument);
  const problem = apiProblem(error);
  useEffect(() => {
    document.title = 'Forgot password · Staydesk';
  }, []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    reset();
    const address = email.trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) {
      setEmailError('Enter the e-mail address you sign in with, like name@example.com.');
      return;
    }
    setEmailError(null);
    const result = await request({ variables: { email: address } }).catch(() => null);
    if (result?.data) setSentTo(address);
  };

  return (
    <AuthCard
      title="Forgot your password?"
      lead="We mail you a link to choose a new one. It works once, for an hour."
    >
      {sentTo ? (
        <Stack>
          <Alert color="teal" role="status" title="Check your mail">
            If {sentTo} belongs to a Staydesk account, a reset link is on its way. No mail after a
            few minutes? Check the spam folder, or ask an admin.
          </Alert>
          <BackToSignIn />
        </Stack>
      ) : (
        <AuthForm
          onSubmit={submit}
          problem={problem?.message}
          problemTitle="Could not send the link"
          submit="Send reset link"
          loading={loading}
          footer={<BackToSignIn />}
        >
          <EmailInput value={email} onChange={setEmail} error={emailError} />
        </AuthForm>
      )}
    </AuthCard>
  );
}
