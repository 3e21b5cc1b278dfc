import { Button, Center, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router';

const PAGES: Record<string, { title: string; body: string }> = {
  NOT_FOUND: {
    title: 'Not found',
    body: 'There is nothing at this address. The ticket or customer may have been removed, or the link is mistyped.',
  },
  FORBIDDEN: {
    title: 'Not allowed',
    body: 'Your role or team does not give you access to this page. Ask your team lead or an admin if you need it.',
  },
  INTERNAL: {
    title: 'Something went wrong',
    body: 'The page could not be shown. Reload it; if it keeps happening, tell an admin what you were doing.',
  },
};

/** Full pages for FORBIDDEN, NOT_FOUND and unexpected failures. */
export function ProblemPage({ code, detail }: { code: string; detail?: string }) {
  const page = PAGES[code] ?? PAGES.INTERNAL;
  return (
    <Center mih="60vh" p="lg">
      <Stack align="center" gap="sm" maw={520} ta="center">
        <Text c="dimmed" fw={600} size="sm">
          {code === 'NOT_FOUND' ? '404' : code === 'FORBIDDEN' ? '403' : 'Error'}
        </Text>
        <Title order={1}>{page.title}</Title>
        <Text>{page.body}</Text>
        {detail && (
          <Text c="dimmed" size="sm">
            {detail}
          </Text>
        )}
        <Button component={Link} to="/" variant="light">
          Back to my workspace
        </Button>
      </Stack>
    </Center>
  );
}
