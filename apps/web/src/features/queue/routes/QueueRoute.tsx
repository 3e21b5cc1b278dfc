import { useApolloClient, useQuery } from '@apollo/client/react';
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
import { TicketRowLink } from '@/components/RowLink';
import { useSession } from '@/app/session';
import {
  QueueDocument,
  QueueLiveDocument,
  TicketPageDocument,
  type QueueViewFilter,
  type TicketFilter,
} from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { formatRelative, plural, snippet } from '@/lib/format';
import { useLive, useTrailing } from '@/lib/live';
import { preloadTicketChunk } from '@/lib/preload';
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
    const f: TicketFilter = { ...view.filter({ teamIds: user.teamIds }) };
    if (search) f.search = search;
    if (filters.status.length) f.status = filters.status as TicketFilter['status'];
    if (filters.priority.length) f.priority = filters.priority as TicketFilter['priority'];
    if (filters.channel.length) f.channel = filters.channel as TicketFilter['channel'];
    if (filters.tags.length) f.tags = filters.tags;
    if (filters.teamId) {
      f.teamIds = [filters.teamId];
      delete f.noTeam;
    }
    if (filters.assigneeId) {
      f.assigneeIds = [filters.assigneeId];
      delete f.mine;
    }
    if (filters.sla === 'breached') f.sla = 'breached';
    if (filters.sla === 'due_soon') f.sla = 'due_soon';
    return f;
  }, [view, user, search, filters]);

  const { data, loading, error, fetchMore, refetch } = useQuery(QueueDocument, {
    variables: { filter: filter ?? {}, first: PAGE, orderBy: 'updated_desc' },
    skip: !filter,
    notifyOnNetworkStatusChange: true,
  });
  const edges = useMemo(() => data?.tickets.edges ?? [], [data]);

  // live: rows that change update in place (the cache); a ticket entering or leaving the view
  // refetches the first page, or — when the agent has loaded more pages — offers to, so the
  // place in a long list is not lost
  const [stale, setStale] = useState(false);
  const morePages = edges.length > PAGE;
  const refresh = useTrailing(() => {
    setStale(false);
    void refetch();
  }, 400);
  useLive(QueueLiveDocument, {
    variables: { filter: filter ? liveFilter(filter) : {} },
    skip: !filter,
    onData: (d) => {
      if (d.queueChanged.change === 'changed') return;
      if (morePages) setStale(true);
      else refresh();
    },
    onRestart: refresh,
  });

  // the selection follows its ticket when rows move (live updates), not its position
  const selectedId = useRef<string | null>(null);
  const selectedIndex = useRef(0);
  selectedIndex.current = selected;
  useEffect(() => {
    selectedId.current = null;
    setSelected(0);
  }, [viewKey, filter]);
  useEffect(() => {
    const i = selectedId.current ? edges.findIndex((e) => e.node.id === selectedId.current) : -1;
    if (i >= 0) setSelected(i);
    else {
      const kept = Math.min(selectedIndex.current, Math.max(edges.length - 1, 0));
      setSelected(kept);
      selectedId.current = edges[kept]?.node.id ?? null;
    }
  }, [edges]);
  useEffect(() => {
    if (edges[selected]) selectedId.current = edges[selected].node.id;
  }, [selected]);
  // the ticket page's chunk once the queue is on screen; its data for the selected row (Enter
  // opens it) and for a row the pointer rests on, so opening a ticket waits for neither
  const client = useApolloClient();
  const prefetched = useRef(new Set<string>());
  const prefetch = (id: string | undefined) => {
    if (!id || prefetched.current.has(id)) return;
    prefetched.current.add(id);
    void client
      .query({ query: TicketPageDocument, variables: { id }, fetchPolicy: 'network-only' })
      .catch(() => prefetched.current.delete(id));
  };
  const hovered = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const hover = (id: string) => {
    clearTimeout(hovered.current);
    hovered.current = setTimeout(() => prefetch(id), 60);
  };
  useEffect(() => () => clearTimeout(hovered.current), []);
  const hasRows = edges.length > 0;
  useEffect(() => {
    if (hasRows) preloadTicketChunk();
  }, [hasRows]);
  const selectedTicket = edges[selected]?.node.id;
  useEffect(() => {
    if (!selectedTicket) return;
    const timer = setTimeout(() => prefetch(selectedTicket), 250);
    return () => clearTimeout(timer);
  }, [selectedTicket]);

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
            {data ? plural(data.tickets.totalCount, 'ticket') : ''}
          </Text>
        </Group>
        <Button component={Link} to="/tickets/new" variant="light">
          New ticket
        </Button>
      </Group>
      <QueueFilters value={filters} onChange={setFilters} />
      {stale && (
        <Alert color="blue" variant="light" p="xs">
          <Group justify="space-between" gap="xs">
            <Text size="sm">Tickets entered or left this view.</Text>
            <Button size="xs" variant="light" onClick={refresh}>
              Show the changes
            </Button>
          </Group>
        </Alert>
      )}
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
                onTouchStart={() => prefetch(t.id)}
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
                    onMouseEnter={() => hover(t.id)}
                    style={{
                      cursor: 'pointer',
                      boxShadow: isSelected
                        ? 'inset 3px 0 0 var(--mantine-primary-color-filled)'
                        : undefined,
                      background: isSelected ? 'var(--mantine-primary-color-light)' : undefined,
                    }}
                  >
                    <Table.Td miw={260}>
                      <TicketRowLink id={t.id} number={t.number} subject={t.subject} />
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

/** The part of a queue filter that live events can answer (search, due soon and dates are refetched). */
export function liveFilter(f: TicketFilter): QueueViewFilter {
  const out: QueueViewFilter = {};
  if (f.status) out.status = f.status;
  if (f.priority) out.priority = f.priority;
  if (f.channel) out.channel = f.channel;
  if (f.tags) out.tags = f.tags;
  if (f.teamIds) out.teamIds = f.teamIds;
  if (f.noTeam) out.noTeam = true;
  if (f.assigneeIds) out.assigneeIds = f.assigneeIds;
  if (f.mine) out.mine = true;
  if (f.unassigned) out.unassigned = true;
  if (f.sla === 'breached') out.slaBreached = true;
  return out;
}
