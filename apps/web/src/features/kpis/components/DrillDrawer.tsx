import { useApolloClient } from '@apollo/client/react';
import { Group, Table, Text } from '@mantine/core';
import { useNavigate } from 'react-router';
import { PriorityBadge, StatusBadge } from '@/components/badges';
import { ListDrawer } from '@/components/ListDrawer';
import { RowLink, TicketRowLink } from '@/components/RowLink';
import { KpiTicketsDocument, type KpiFilter } from '@/gql/graphql';
import { useDrillList, type DrillListTarget } from '@/lib/drill-list';
import { formatCount, formatDateTime } from '@/lib/format';
import { formatHours } from '@/lib/measures';
import type { DrillOption } from '../lib/figures';

export interface DrillTarget extends DrillListTarget<DrillOption> {
  filter: KpiFilter;
}

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
  const list = useDrillList(target, async (drill, option, after, first) => {
    const { data, error } = await client.query({
      query: KpiTicketsDocument,
      variables: {
        filter: drill.filter,
        metric: option.metric,
        orderBy: option.orderBy ?? 'recent',
        first,
        after,
      },
      fetchPolicy: 'network-only',
    });
    if (error) throw error;
    return data!.supportKpiTickets;
  });
  const { option, total } = list;

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
    <ListDrawer
      target={target}
      onClose={onClose}
      list={list}
      pickerLabel={nps ? 'Which answers' : 'Which tickets'}
      count={
        total == null
          ? 'Counting…'
          : `${formatCount(total)} ${total === 1 ? noun.replace(/s$/, '') : noun}`
      }
      tableLabel={`${target?.figure ?? ''}, ${option?.label ?? ''}: ${noun}`}
      head={
        <>
          {!nps && <Table.Th>Ticket</Table.Th>}
          <Table.Th>Customer</Table.Th>
          {!nps && <Table.Th>Status</Table.Th>}
          {whenHeader(metric) && <Table.Th>{whenHeader(metric)}</Table.Th>}
          {valueHeader && <Table.Th ta="right">{valueHeader}</Table.Th>}
        </>
      }
      empty={`No ${noun} behind this figure.`}
    >
      {list.edges.map(({ node }) => {
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
                  <RowLink to={`/customers/${node.customer.id}`}>{node.customer.name}</RowLink>
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
              <TicketRowLink
                id={node.ticketId}
                number={t?.number ?? node.ticketId}
                subject={t?.subject ?? 'Ticket'}
              />
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
    </ListDrawer>
  );
}
