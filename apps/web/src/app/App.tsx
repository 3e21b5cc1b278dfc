import { ApolloProvider } from '@apollo/client/react';
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { useMemo } from 'react';
import { RouterProvider } from 'react-router';
import { createApolloClient } from '@/lib/apollo';
import { router } from './router';
import { cssVariablesResolver, theme } from './theme';

export function App() {
  const client = useMemo(
    () =>
      createApolloClient(() => {
        if (window.location.pathname !== '/sign-in') {
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
