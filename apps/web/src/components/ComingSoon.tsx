import { Badge, Card, Group, Stack, Text, Title } from '@mantine/core';

/** Placeholder for the team-lead and account-manager workspaces (the next issue fills them). */
export function ComingSoon({ title, body }: { title: string; body: string }) {
  return (
    <Stack p="lg" maw={720}>
      <Group gap="sm">
        <Title order={1}>{title}</Title>
        <Badge variant="light">Coming</Badge>
      </Group>
      <Card withBorder padding="lg">
        <Text>{body}</Text>
      </Card>
    </Stack>
  );
}
