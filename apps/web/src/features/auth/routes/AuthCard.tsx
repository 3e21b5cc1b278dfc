import { Center, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** The centred card of the signed-out pages (sign in, forgot password, reset password). */
export function AuthCard({
  title,
  lead,
  children,
}: {
  title: string;
  lead: string;
  children: ReactNode;
}) {
  return (
    <Center mih="100vh" p="md" bg="var(--mantine-color-body)">
      <Paper component="main" withBorder shadow="sm" p="xl" radius="lg" w="100%" maw={400}>
        <Stack>
          <div>
            <Text fw={800} size="lg" c="var(--sd-brand)">
              Staydesk
            </Text>
            <Title order={1} size="h2">
              {title}
            </Title>
            <Text c="dimmed" size="sm">
              {lead}
            </Text>
          </div>
          {children}
        </Stack>
      </Paper>
    </Center>
  );
}
