import { useQuery } from '@apollo/client/react';
import { Alert, Anchor, Badge, Group, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect } from 'react';
import { Link, useParams } from 'react-router';
import { PriorityBadge, StatusBadge } from '@/components/badges';
import { ProblemPage } from '@/components/ProblemPage';
import {
  SavedViewByIdDocument,
  SavedViewTicketsDocument,
  type TicketFilter,
  type TicketOrder,
} from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { formatCount, formatRelative } from '@/lib/format';

/** One saved view: its tickets (first 50, in the view's order) and its count. */
export function SavedViewRoute() {
  const { id } = useParams();
  const views = useQuery(SavedViewByIdDocument);
  const view = views.data?.savedViews.find((v) => v.id === id);
  const tickets = useQuery(SavedViewTicketsDocument, {
    variables: {
      filter: (view?.filter ?? {}) as TicketFilter,
      orderBy: (view?.orderBy ?? 'updated_desc') as TicketOrder,
    },
    skip: !view,
    pollInterval: 30_000,
  });
  useEffect(() => {
    if (view) document.title = `${view.name} · Staydesk`;
  }, [view]);
  if (views.data && !view) return <ProblemPage code="NOT_FOUND" />;
  const rows = tickets.data?.tickets.edges ?? [];
  return (
    <Stack p="md" gap="md">
      <Group justify="space-between">
        <Title order={1} size="h2">
          {view?.name ?? 'Saved view'}
        </Title>
        <Badge variant="light" size="lg" color="gray">
          {formatCount(tickets.data?.tickets.totalCount ?? view?.count)} tickets
        </Badge>
      </Group>
      {tickets.error && (
        <Alert color="red" role="alert">
          {apiProblem(tickets.error)?.message}
        </Alert>
      )}
      <Paper withBorder radius="md">
        <Table.ScrollContainer minWidth={640}>
          <Table highlightOnHover verticalSpacing="xs">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Ticket</Table.Th>
                <Table.Th>Customer</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Priority</Table.Th>
                <Table.Th>Assignee</Table.Th>
                <Table.Th>Updated</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {rows.map(({ node: t }) => (
                <Table.Tr key={t.id}>
                  <Table.Td>
                    <Anchor
                      component={Link}
                      to={`/tickets/${t.id}`}
                      size="sm"
                      fw={600}
                      c="var(--mantine-color-text)"
                    >
                      #{t.number} {t.subject}
                    </Anchor>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{t.customer.name}</Text>
                  </Table.Td>
                  <Table.Td>
                    <StatusBadge status={t.status} />
                  </Table.Td>
                  <Table.Td>
                    <PriorityBadge priority={t.priority} />
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">{t.assignee?.name ?? 'Unassigned'}</Text>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" c="dimmed">
                      {formatRelative(t.updatedAt)}
                    </Text>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {tickets.data && rows.length === 0 && (
          <Text p="md" c="dimmed" size="sm">
            No ticket matches this view right now.
          </Text>
        )}
      </Paper>
    </Stack>
  );
}
