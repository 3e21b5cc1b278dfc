import { Alert, Button, Group, Loader, Text } from '@mantine/core';
import { useApolloClient } from '@apollo/client/react';
import { useEffect } from 'react';
import { useApiUnreachable } from '@/lib/connectivity';

/** Shown while the api is unreachable or answers 503; retries on its own every few seconds. */
export function ConnectivityBanner() {
  const unreachable = useApiUnreachable();
  const client = useApolloClient();
  useEffect(() => {
    if (!unreachable) return;
    const t = setInterval(() => {
      void client.refetchObservableQueries().catch(() => undefined);
    }, 4000);
    return () => clearInterval(t);
  }, [unreachable, client]);
  if (!unreachable) return null;
  return (
    <Alert color="orange" variant="filled" radius={0} role="alert" py="xs">
      <Group justify="space-between" wrap="nowrap">
        <Group gap="xs" wrap="nowrap">
          <Loader size="xs" color="white" />
          <Text size="sm" c="white">
            Staydesk cannot be reached. Retrying… Drafts stay in this browser and nothing you typed
            is lost.
          </Text>
        </Group>
        <Button
          size="compact-sm"
          variant="white"
          color="orange"
          onClick={() => void client.refetchObservableQueries().catch(() => undefined)}
        >
          Retry now
        </Button>
      </Group>
    </Alert>
  );
}
