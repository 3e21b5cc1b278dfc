import { useQuery } from '@apollo/client/react';
import {
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Group,
  Paper,
  Stack,
  Table,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import { useDebouncedValue, useInterval, useMediaQuery } from '@mantine/hooks';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ProblemPage } from '@/components/ProblemPage';
import { PriorityBadge, RiskBadge, SlaBadge, StatusBadge } from '@/components/badges';
import { useSession } from '@/app/session';
import { QueueDocument, type TicketFilter } from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { formatCount, formatRelative, snippet } from '@/lib/format';
import { useShortcuts } from '@/lib/use-shortcuts';
import { EMPTY_FILTERS, QueueFilters, type QueueFilterState } from '../components/QueueFilters';
import { viewByKey } from '../views';

const PAGE = 50;
/** Columns as wide as their content, so the subject column takes the rest. */
const TIGHT = { width: 1, whiteSpace: 'nowrap' } as const;

/** A view of the queue: filters, 50 rows per page (cursor), j/k/Enter to move and open. */
export function QueueRoute() {
  const { view: viewKey } = useParams();
  const view = viewByKey(viewKey);
  const { user } = useSession();
  const navigate = useNavigate();
  const [filters, setFilters] = useState<QueueFilterState>(EMPTY_FILTERS);
  const [search] = useDebouncedValue(filters.search.trim(), 300);
  const [selected, setSelected] = useState(0);
  const [now, setNow] = useState(() => new Date());
  useInterval(() => setNow(new Date()), 30_000, { autoInvoke: true });
  const phone = useMediaQuery('(max-width: 48em)') ?? false;
  const rowRefs = useRef<(HTMLTableRowElement | null)[]>([]);

  const filter = useMemo<TicketFilter | null>(() => {
    if (!view || !user) return null;
    const f: TicketFilter = { ...view.filter({ teamId: user.teamId ?? null }) };
    if (search) f.search = search;
    if (filters.status.length) f.status = filters.status as TicketFilter['status'];
    if (filters.priority.length) f.priority = filters.priority as TicketFilter['priority'];
    if (filters.channel.length) f.channel = filters.channel as TicketFilter['channel'];
    if (filters.tags.length) f.tags = filters.tags;
    if (filters.teamId) f.teamIds = [filters.teamId];
    if (filters.assigneeId) {
      f.assigneeIds = [filters.assigneeId];
      delete f.mine;
    }
    if (filters.sla === 'breached') f.sla = 'breached';
    if (filters.sla === 'due_soon') f.sla = 'due_soon';
    return f;
  }, [view, user, search, filters]);

  const { data, loading, error, fetchMore } = useQuery(QueueDocument, {
    variables: { filter: filter ?? {}, first: PAGE, orderBy: 'updated_desc' },
    skip: !filter,
    notifyOnNetworkStatusChange: true,
  });
  const edges = data?.tickets.edges ?? [];

  useEffect(() => {
    setSelected(0);
  }, [viewKey, filter]);
  useEffect(() => {
    if (view) document.title = `${view.label} · Staydesk`;
  }, [view]);
  useEffect(() => {
    rowRefs.current[selected]?.scrollIntoView({ block: 'nearest' });
  }, [selected]);

  useShortcuts({
    next: () => setSelected((i) => Math.min(i + 1, Math.max(edges.length - 1, 0))),
    previous: () => setSelected((i) => Math.max(i - 1, 0)),
    open: () => {
      const t = edges[selected]?.node;
      if (t) navigate(`/tickets/${t.id}`);
    },
  });

  if (!view) return <ProblemPage code="NOT_FOUND" />;
  const problem = apiProblem(error);

  return (
    <Stack gap="md" p={{ base: 'sm', sm: 'lg' }}>
      <Group justify="space-between" align="flex-end">
        <Group gap="sm" align="baseline">
          <Title order={1} size="h2">
            {view.label}
          </Title>
          <Text c="dimmed" aria-live="polite">
            {data ? `${formatCount(data.tickets.totalCount)} tickets` : ''}
          </Text>
        </Group>
        <Button component={Link} to="/tickets/new" variant="light">
          New ticket
        </Button>
      </Group>
      <QueueFilters value={filters} onChange={setFilters} />
      {problem && problem.code === 'BAD_USER_INPUT' && (
        <Alert color="red" title="Check the filters">
          {problem.message}
        </Alert>
      )}
      {phone ? (
        <Stack
          gap="xs"
          component="ul"
          p={0}
          m={0}
          style={{ listStyle: 'none' }}
          aria-label={`${view.label} tickets`}
        >
          {edges.map(({ node: t }, i) => {
            const band = t.customer.risk?.band;
            return (
              <Paper
                key={t.id}
                component="li"
                withBorder
                p="sm"
                radius="md"
                aria-current={i === selected ? 'true' : undefined}
                bg={i === selected ? 'var(--mantine-primary-color-light)' : undefined}
              >
                <Anchor
                  component={Link}
                  to={`/tickets/${t.id}`}
                  fw={600}
                  c="var(--mantine-color-text)"
                >
                  <Text span c="dimmed" fw={500} mr={6}>
                    #{t.number}
                  </Text>
                  {t.subject}
                </Anchor>
                <Text size="sm" c="dimmed" lineClamp={1}>
                  {t.requester.name} · {t.customer.name}
                </Text>
                <Group gap={6} mt={6}>
                  <PriorityBadge priority={t.priority} />
                  <StatusBadge status={t.status} />
                  <SlaBadge ticket={t} now={now} compact />
                  {(band === 'high' || band === 'critical') && <RiskBadge band={band} size="xs" />}
                  <Text size="xs" c="dimmed">
                    {formatRelative(t.updatedAt, now)}
                  </Text>
                </Group>
              </Paper>
            );
          })}
        </Stack>
      ) : (
        <Table.ScrollContainer minWidth={900}>
          <Table highlightOnHover verticalSpacing="xs" aria-label={`${view.label} tickets`}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Ticket</Table.Th>
                <Table.Th>Requester · customer</Table.Th>
                <Table.Th>Priority</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>SLA</Table.Th>
                <Table.Th>Updated</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {edges.map(({ node: t }, i) => {
                const band = t.customer.risk?.band;
                const isSelected = i === selected;
                return (
                  <Table.Tr
                    key={t.id}
                    ref={(el) => {
                      rowRefs.current[i] = el;
                    }}
                    aria-selected={isSelected}
                    onClick={() => navigate(`/tickets/${t.id}`)}
                    style={{
                      cursor: 'pointer',
                      boxShadow: isSelected
                        ? 'inset 3px 0 0 var(--mantine-primary-color-filled)'
                        : undefined,
                      background: isSelected ? 'var(--mantine-primary-color-light)' : undefined,
                    }}
                  >
                    <Table.Td miw={260}>
                      <Anchor
                        component={Link}
                        to={`/tickets/${t.id}`}
                        fw={600}
                        c="var(--mantine-color-text)"
                        onClick={(e) => e.stopPropagation()}
                        lineClamp={1}
                      >
                        <Text span c="dimmed" fw={500} mr={6}>
                          #{t.number}
                        </Text>
                        {t.subject}
                      </Anchor>
                      {t.lastMessage && (
                        <Text size="sm" c="dimmed" lineClamp={1}>
                          {t.lastMessage.kind === 'internal_note' ? 'Note: ' : ''}
                          {snippet(t.lastMessage.body)}
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td miw={170}>
                      <Text size="sm" fw={500} lineClamp={1}>
                        {t.requester.name}
                      </Text>
                      <Anchor
                        component={Link}
                        to={`/customers/${t.customer.id}`}
                        size="sm"
                        c="dimmed"
                        lineClamp={1}
                        onClick={(e) => e.stopPropagation()}
                      >
                        {t.customer.name}
                      </Anchor>
                      {(band === 'high' || band === 'critical') && (
                        <RiskBadge band={band} size="xs" />
                      )}
                    </Table.Td>
                    <Table.Td style={TIGHT}>
                      <PriorityBadge priority={t.priority} />
                    </Table.Td>
                    <Table.Td style={TIGHT}>
                      <StatusBadge status={t.status} />
                    </Table.Td>
                    <Table.Td style={TIGHT}>
                      <SlaBadge ticket={t} now={now} compact />
                    </Table.Td>
                    <Table.Td style={TIGHT}>
                      <Text size="sm" c="dimmed" title={new Date(t.updatedAt).toLocaleString()}>
                        {formatRelative(t.updatedAt, now)}
                      </Text>
                      {t.assignee && (
                        <Text size="xs" c="dimmed">
                          {t.assignee.name}
                        </Text>
                      )}
                    </Table.Td>
                  </Table.Tr>
                );
              })}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {!loading && edges.length === 0 && !problem && (
        <Box ta="center" py="xl">
          <Text fw={600}>Nothing here</Text>
          <Text c="dimmed" size="sm">
            No ticket matches this view and these filters.
          </Text>
        </Box>
      )}
      {loading && edges.length === 0 && (
        <Text c="dimmed" ta="center" py="xl">
          Loading tickets…
        </Text>
      )}
      {data?.tickets.pageInfo.hasNextPage && (
        <Group justify="center">
          <Button
            variant="default"
            loading={loading}
            onClick={() =>
              void fetchMore({ variables: { after: data.tickets.pageInfo.endCursor } })
            }
          >
            Load {PAGE} more
          </Button>
        </Group>
      )}
      <VisuallyHidden>
        <Badge>Press j and k to move, Enter to open, ? for all shortcuts.</Badge>
      </VisuallyHidden>
    </Stack>
  );
}
