import { ApolloProvider } from '@apollo/client/react';
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { useMemo } from 'react';
import { RouterProvider } from 'react-router';
import { createApolloClient } from '@/lib/apollo';
import { router } from './router';
import { cssVariablesResolver, theme } from './theme';

/** Pages for signed-out visitors: an "unauthenticated" answer does not send them to sign in. */
const SIGNED_OUT_PAGES = ['/sign-in', '/forgot-password', '/reset-password'];

export function App() {
  const client = useMemo(
    () =>
      createApolloClient(() => {
        if (!SIGNED_OUT_PAGES.includes(window.location.pathname)) {
          const next = window.location.pathname + window.location.search;
          void router.navigate(`/sign-in?next=${encodeURIComponent(next)}`);
        }
      }),
    [],
  );
  return (
    <MantineProvider
      theme={theme}
      defaultColorScheme="auto"
      cssVariablesResolver={cssVariablesResolver}
    >
      <Notifications position="top-right" />
      <ApolloProvider client={client}>
        <RouterProvider router={router} />
      </ApolloProvider>
    </MantineProvider>
  );
}
