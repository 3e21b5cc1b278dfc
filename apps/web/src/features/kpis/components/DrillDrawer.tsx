import { useApolloClient } from '@apollo/client/react';
import {
  Alert,
  Anchor,
  Button,
  Drawer,
  Group,
  SegmentedControl,
  Skeleton,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { PriorityBadge, StatusBadge } from '@/components/badges';
import { KpiTicketsDocument, type KpiFilter, type KpiTicketsQuery } from '@/gql/graphql';
import { apiProblem, type ApiProblem } from '@/lib/errors';
import { formatCount, formatDateTime } from '@/lib/format';
import { formatHours } from '@/lib/measures';
import type { DrillOption } from '../lib/figures';

export interface DrillTarget {
  /** "First response · median" */
  figure: string;
  /** "Billing · week of 1 Dec 2025" */
  scope: string;
  filter: KpiFilter;
  options: DrillOption[];
}

type Edge = KpiTicketsQuery['supportKpiTickets']['edges'][number];

const PAGE = 25;
const RATING: readonly string[] = ['csat_ratings', 'csat_good', 'csat_bad'];
const DURATION: readonly string[] = ['first_response', 'resolution', 'requester_wait'];
/** NPS answers are per customer (no ticket): the list shows customers and their scores. */
const isNps = (metric: string) => metric.startsWith('nps_');

/** What the row's instant is, per metric (the anchor that put it in the period). */
function whenHeader(metric: string): string {
  if (metric.startsWith('sla_')) return 'Due';
  if (metric === 'tickets_created' || metric === 'first_response') return 'Created';
  if (RATING.includes(metric) || metric === 'ces_answers' || isNps(metric)) return 'Answered';
  if (metric.startsWith('surveys_')) return 'Sent';
  if (metric === 'backlog') return ''; // a state at the end of the period: no instant
  return 'Solved';
}

/** The tickets behind a figure (supportKpiTickets), paged by cursor; rows open the ticket. */
export function DrillDrawer({ target, onClose }: { target: DrillTarget | null; onClose(): void }) {
  const client = useApolloClient();
  const navigate = useNavigate();
  const [choice, setChoice] = useState(0);
  const [edges, setEdges] = useState<Edge[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const option = target?.options[choice] ?? target?.options[0];
  const request = useRef(0);

  async function load(after: string | null) {
    if (!target || !option) return;
    const id = ++request.current;
    setLoading(true);
    try {
      const { data, error } = await client.query({
        query: KpiTicketsDocument,
        variables: {
          filter: target.filter,
          metric: option.metric,
          orderBy: option.orderBy ?? 'recent',
          first: PAGE,
          after,
        },
        fetchPolicy: 'network-only',
      });
      if (error) throw error;
      if (id !== request.current) return;
      const page = data!.supportKpiTickets;
      setEdges((prev) => (after ? [...prev, ...page.edges] : page.edges));
      setTotal(page.totalCount ?? null);
      setNext(page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? null) : null);
      setProblem(null);
    } catch (e) {
      if (id === request.current) setProblem(apiProblem(e));
    } finally {
      if (id === request.current) setLoading(false);
    }
  }

  useEffect(() => {
    setChoice(0);
  }, [target]);
  useEffect(() => {
    setEdges([]);
    setTotal(null);
    setNext(null);
    void load(null);
  }, [target, choice]);

  const metric = option?.metric ?? '';
  const nps = isNps(metric);
  const valueHeader = RATING.includes(metric)
    ? 'Rating'
    : metric === 'ces_answers'
      ? 'Effort'
      : nps
        ? 'Score'
        : DURATION.includes(metric)
          ? 'Time'
          : null;
  const noun = RATING.includes(metric)
    ? 'ratings'
    : metric === 'ces_answers' || nps
      ? 'answers'
      : metric.startsWith('surveys')
        ? 'surveys'
        : 'tickets';

  return (
    <Drawer
      opened={!!target}
      onClose={onClose}
      position="right"
      size="xl"
      title={target?.figure}
      styles={{ title: { fontWeight: 700, fontSize: 'var(--mantine-font-size-lg)' } }}
      closeButtonProps={{ 'aria-label': 'Close the list' }}
    >
      {target && (
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            {target.scope}
          </Text>
          <Group justify="space-between" align="center">
            {target.options.length > 1 ? (
              <SegmentedControl
                aria-label={nps ? 'Which answers' : 'Which tickets'}
                value={String(choice)}
                onChange={(v) => setChoice(Number(v))}
                data={target.options.map((o, i) => ({ value: String(i), label: o.label }))}
              />
            ) : (
              <Text size="sm" fw={600}>
                {option?.label}
              </Text>
            )}
            <Text size="sm" c="dimmed" aria-live="polite" data-testid="drill-count">
              {total == null
                ? 'Counting…'
                : `${formatCount(total)} ${total === 1 ? noun.replace(/s$/, '') : noun}`}
            </Text>
          </Group>
          {problem && (
            <Alert color="red" title="The list could not be loaded">
              {problem.message}
            </Alert>
          )}
          <Table.ScrollContainer minWidth={560}>
            <Table
              highlightOnHover
              verticalSpacing="xs"
              aria-label={`${target.figure}, ${option?.label ?? ''}: ${noun}`}
            >
              <Table.Thead>
                <Table.Tr>
                  {!nps && <Table.Th>Ticket</Table.Th>}
                  <Table.Th>Customer</Table.Th>
                  {!nps && <Table.Th>Status</Table.Th>}
                  {whenHeader(metric) && <Table.Th>{whenHeader(metric)}</Table.Th>}
                  {valueHeader && <Table.Th ta="right">{valueHeader}</Table.Th>}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {edges.map(({ node }) => {
                  const t = node.ticket;
                  if (nps || !node.ticketId)
                    return (
                      <Table.Tr
                        key={node.surveyId ?? node.customer?.id}
                        style={{ cursor: node.customer ? 'pointer' : undefined }}
                        onClick={() => node.customer && navigate(`/customers/${node.customer.id}`)}
                      >
                        <Table.Td>
                          {node.customer ? (
                            <Anchor
                              component={Link}
                              to={`/customers/${node.customer.id}`}
                              fw={600}
                              c="var(--mantine-color-text)"
                              onClick={(e) => e.stopPropagation()}
                              lineClamp={1}
                            >
                              {node.customer.name}
                            </Anchor>
                          ) : (
                            '–'
                          )}
                        </Table.Td>
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>
                          <Text size="sm">{node.at ? formatDateTime(node.at) : '–'}</Text>
                        </Table.Td>
                        <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                          <Text size="sm" fw={600}>
                            {node.value == null ? '–' : `${node.value} / 10`}
                          </Text>
                        </Table.Td>
                      </Table.Tr>
                    );
                  return (
                    <Table.Tr
                      key={node.surveyId ?? node.ticketId}
                      style={{ cursor: 'pointer' }}
                      onClick={() => navigate(`/tickets/${node.ticketId}`)}
                    >
                      <Table.Td>
                        <Anchor
                          component={Link}
                          to={`/tickets/${node.ticketId}`}
                          fw={600}
                          c="var(--mantine-color-text)"
                          onClick={(e) => e.stopPropagation()}
                          lineClamp={1}
                        >
                          <Text span c="dimmed" fw={500} mr={6}>
                            #{t?.number ?? node.ticketId}
                          </Text>
                          {t?.subject ?? 'Ticket'}
                        </Anchor>
                        {t?.assignee && (
                          <Text size="xs" c="dimmed">
                            {t.assignee.name}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Text size="sm" lineClamp={1}>
                          {t?.customer.name}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        {t && (
                          <Group gap={4} wrap="nowrap">
                            <StatusBadge status={t.status} />
                            <PriorityBadge priority={t.priority} />
                          </Group>
                        )}
                      </Table.Td>
                      {whenHeader(metric) && (
                        <Table.Td style={{ whiteSpace: 'nowrap' }}>
                          <Text size="sm">{node.at ? formatDateTime(node.at) : '–'}</Text>
                        </Table.Td>
                      )}
                      {valueHeader && (
                        <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>
                          <Text size="sm" fw={600}>
                            {node.value == null
                              ? '–'
                              : valueHeader === 'Rating'
                                ? `${node.value} / 5`
                                : valueHeader === 'Effort'
                                  ? `${node.value} / 7`
                                  : formatHours(node.value / 3600)}
                          </Text>
                        </Table.Td>
                      )}
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {loading && edges.length === 0 && (
            <Stack gap={6} aria-hidden>
              <Skeleton h={28} />
              <Skeleton h={28} />
              <Skeleton h={28} />
            </Stack>
          )}
          {!loading && !problem && edges.length === 0 && (
            <Text c="dimmed" ta="center" py="lg">
              No {noun} behind this figure.
            </Text>
          )}
          {next && (
            <Group justify="center">
              <Button variant="default" loading={loading} onClick={() => void load(next)}>
                Load {PAGE} more
              </Button>
            </Group>
          )}
        </Stack>
      )}
    </Drawer>
  );
}
