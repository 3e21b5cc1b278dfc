import { useQuery } from '@apollo/client/react';
import { Anchor, Badge, Button, Group, Skeleton, Stack, Text, Timeline } from '@mantine/core';
import { Link } from 'react-router';
import { LINK_COLOR } from '@/components/link-color';
import { CustomerTimelineDocument, type CustomerTimelineQuery } from '@/gql/graphql';
import { formatDateTime, humanize, snippet } from '@/lib/format';

type Entry = CustomerTimelineQuery['customer']['timeline']['edges'][number]['node'];

const PAGE = 25;

function describe(e: Entry): { title: string; detail?: string } {
  switch (e.kind) {
    case 'ticket_created':
      return { title: `Ticket opened: ${e.title}`, detail: e.toValue ? `via ${e.toValue}` : '' };
    case 'message':
      return {
        title:
          e.toValue === 'customer_message'
            ? 'Customer wrote'
            : e.toValue === 'internal_note'
              ? 'Internal note'
              : 'Reply sent',
        detail: e.body ? snippet(e.body, 160) : undefined,
      };
    case 'ticket_status_changed':
      return { title: `Ticket ${humanize(e.fromValue ?? '?')} → ${humanize(e.toValue ?? '?')}` };
    case 'follow_up':
      return {
        title: `Follow-up (${humanize(e.title)}) ${e.fromValue ?? ''}`,
        detail: e.toValue ? `due ${formatDateTime(e.toValue)}` : undefined,
      };
    case 'customer_status_changed':
      return {
        title: `Customer ${e.fromValue ?? '?'} → ${e.toValue ?? '?'}`,
        detail: e.body ?? undefined,
      };
    case 'survey_answered': {
      const scale = e.title === 'nps' ? '10' : '5';
      const effort = e.fromValue ? `, effort ${e.fromValue}/7` : '';
      return {
        title: `${e.title.toUpperCase()} answered: ${e.toValue}/${scale}${effort}`,
        detail: e.body ? `“${snippet(e.body, 160)}”` : undefined,
      };
    }
    default:
      return { title: e.title };
  }
}

/** The customer's whole history, newest first, 25 at a time. */
export function CustomerTimeline({ customerId }: { customerId: string }) {
  const { data, loading, fetchMore } = useQuery(CustomerTimelineDocument, {
    variables: { id: customerId, first: PAGE },
    notifyOnNetworkStatusChange: true,
  });
  const conn = data?.customer.timeline;
  if (!conn) return <Skeleton h={200} visible={loading} />;
  if (conn.edges.length === 0) return <Text c="dimmed">Nothing has happened yet.</Text>;
  return (
    <Stack gap="sm">
      <Timeline bulletSize={12} lineWidth={2}>
        {conn.edges.map(({ node: e }) => {
          const d = describe(e);
          return (
            <Timeline.Item
              key={`${e.kind}-${e.refId}`}
              title={
                <Group gap={6} wrap="nowrap">
                  <Text size="sm" fw={500} lineClamp={1}>
                    {d.title}
                  </Text>
                  {e.kind === 'survey_answered' && (
                    <Badge size="xs" variant="light">
                      survey
                    </Badge>
                  )}
                </Group>
              }
            >
              {d.detail && (
                <Text size="sm" c="dimmed">
                  {d.detail}
                </Text>
              )}
              <Text size="xs" c="dimmed">
                {formatDateTime(e.at)}
                {e.ticketId && (
                  <>
                    {' · '}
                    <Anchor
                      c={LINK_COLOR}
                      component={Link}
                      to={`/tickets/${e.ticketId}`}
                      size="xs"
                      underline="always"
                    >
                      open ticket
                    </Anchor>
                  </>
                )}
              </Text>
            </Timeline.Item>
          );
        })}
      </Timeline>
      {conn.pageInfo.hasNextPage && (
        <Button
          variant="default"
          loading={loading}
          onClick={() =>
            fetchMore({
              variables: { after: conn.pageInfo.endCursor },
              updateQuery: (prev, { fetchMoreResult }) => ({
                customer: {
                  ...fetchMoreResult.customer,
                  timeline: {
                    ...fetchMoreResult.customer.timeline,
                    edges: [
                      ...prev.customer.timeline.edges,
                      ...fetchMoreResult.customer.timeline.edges,
                    ],
                  },
                },
              }),
            })
          }
        >
          Show older
        </Button>
      )}
    </Stack>
  );
}
