import { useApolloClient, useQuery } from '@apollo/client/react';
import {
  Accordion,
  Alert,
  Anchor,
  Badge,
  Button,
  Grid,
  Group,
  Menu,
  Skeleton,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useCallback, useDeferredValue, useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { PriorityBadge, SlaBadge, StatusBadge } from '@/components/badges';
import { ProblemPage } from '@/components/ProblemPage';
import { CustomerPanel } from '@/features/customers';
import { useSession } from '@/app/session';
import {
  DirectoryDocument,
  TicketActivityLiveDocument,
  TicketPageDocument,
  type ConversationMessageFragment,
} from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { formatDateTime, humanize } from '@/lib/format';
import { useLive, useTrailing } from '@/lib/live';
import { Composer, type BaseVersion } from '../components/Composer';
import { Conversation } from '../components/Conversation';
import { EventHistory } from '../components/EventHistory';
import { FollowUpsPanel } from '../components/FollowUpsPanel';
import { MergeModal } from '../components/MergeModal';
import { PropertiesPanel } from '../components/PropertiesPanel';
import { SplitModal } from '../components/SplitModal';
import { Viewers } from '../components/Viewers';
import { usePresence } from '../hooks/usePresence';

/** One ticket: conversation and composer, properties, follow-ups, history, the customer. */
export function TicketRoute() {
  const { id = '' } = useParams();
  const { data, loading, error } = useQuery(TicketPageDocument, {
    variables: { id },
    errorPolicy: 'none',
  });
  const directory = useQuery(DirectoryDocument, { fetchPolicy: 'cache-first' });
  const ticket = data?.ticket;
  const { user } = useSession();
  const client = useApolloClient();

  // live: the ticket's fields update in the cache from each event; a new message or a missed
  // stretch (resubscribed) refetches the page (conversation, history, follow-ups)
  const [liveMessage, setLiveMessage] = useState<ConversationMessageFragment | null>(null);
  const reload = useTrailing(() => {
    void client.refetchQueries({ include: [TicketPageDocument] });
  }, 300);
  useLive(TicketActivityLiveDocument, {
    variables: { id },
    skip: !ticket,
    onData: (d) => {
      if (d.ticketActivity.message) setLiveMessage(d.ticketActivity.message);
      reload();
    },
    onRestart: reload,
  });
  // the conversation first; the side panels (properties, customer, follow-ups) render right
  // after, at a lower priority, so opening a ticket shows what the agent reads first at once
  const sideReady = useDeferredValue(true, false);
  const [historyOpen, setHistoryOpen] = useState<string | null>(null);
  const [composing, setComposing] = useState(false);
  const onComposingChange = useCallback((c: boolean) => setComposing(c), []);
  const viewers = usePresence(id, user?.id, composing, !ticket);
  const [base, setBase] = useState<BaseVersion | null>(null);
  const [merging, setMerging] = useState(false);
  const [splitting, setSplitting] = useState<ConversationMessageFragment | null>(null);
  const onSplit = useCallback((m: ConversationMessageFragment) => setSplitting(m), []);
  useEffect(() => {
    if (ticket && (!base || base.snapshot.id !== ticket.id)) {
      setBase({ version: ticket.version, snapshot: ticket });
    }
  }, [ticket, base]);
  useEffect(() => {
    if (ticket) document.title = `#${ticket.number} ${ticket.subject} · Staydesk`;
  }, [ticket]);
  const names = useMemo(() => {
    const m = new Map<string, string>();
    for (const e of directory.data?.users.edges ?? []) m.set(e.node.id, e.node.name);
    for (const t of directory.data?.teams ?? []) m.set(`team:${t.id}`, t.name);
    return m;
  }, [directory.data]);

  const problem = apiProblem(error);
  if (problem && !ticket) {
    if (
      problem.code === 'NOT_FOUND' ||
      problem.code === 'FORBIDDEN' ||
      problem.code === 'BAD_USER_INPUT'
    )
      return (
        <ProblemPage
          code={problem.code === 'FORBIDDEN' ? 'FORBIDDEN' : 'NOT_FOUND'}
          detail={problem.message}
        />
      );
    return (
      <Alert color="red" m="lg" title="The ticket could not be loaded">
        {problem.message}
      </Alert>
    );
  }
  if (!ticket || !base) {
    return (
      <Stack p="lg">
        <Skeleton h={32} w="60%" />
        <Skeleton h={160} />
        <Skeleton h={160} />
      </Stack>
    );
  }
  const messages = ticket.messages.edges.map((e) => e.node);
  const newest = messages[messages.length - 1];
  // the live event's message may be newer than the conversation (its refetch is on the way)
  const latestMessage =
    liveMessage && (!newest || Number(liveMessage.id) > Number(newest.id)) ? liveMessage : newest;
  // a merged duplicate links to the ticket that stays (its newest merged_into event)
  const mergedInto = ticket.events.findLast((e) => e.type === 'merged_into');
  const closed = ticket.status === 'closed';
  return (
    <Grid gap="lg" p={{ base: 'sm', sm: 'lg' }}>
      <Grid.Col span={{ base: 12, md: 8 }}>
        <Stack gap="md">
          <div>
            <Group justify="space-between" wrap="nowrap" align="flex-start" gap="xs">
              <Text c="dimmed" size="sm">
                #{ticket.number} · {humanize(ticket.channel)} · opened{' '}
                {formatDateTime(ticket.createdAt)} by {ticket.requester.name}
              </Text>
              <Menu position="bottom-end">
                <Menu.Target>
                  <Button variant="default" size="compact-sm" aria-label="More ticket actions">
                    More
                  </Button>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Item disabled={closed} onClick={() => setMerging(true)}>
                    Merge into another ticket…
                  </Menu.Item>
                </Menu.Dropdown>
              </Menu>
            </Group>
            <Title order={1} size="h2" style={{ overflowWrap: 'anywhere' }}>
              {ticket.subject}
            </Title>
            <Group gap="xs" mt={6}>
              <StatusBadge status={ticket.status} />
              <PriorityBadge priority={ticket.priority} />
              <SlaBadge ticket={ticket} />
              {ticket.team && (
                <Badge variant="outline" color="gray">
                  {ticket.team.name}
                  {ticket.team.isPrivate ? ' (private)' : ''}
                </Badge>
              )}
              {ticket.tags.map((t) => (
                <Badge key={t} variant="light" color="gray" radius="sm">
                  {t}
                </Badge>
              ))}
            </Group>
          </div>
          {mergedInto?.fromValue && (
            <Alert color="gray" variant="light" title="Merged">
              This ticket was merged into{' '}
              <Anchor component={Link} to={`/tickets/${mergedInto.fromValue}`}>
                {mergedInto.toValue ?? 'another ticket'}
              </Anchor>
              ; its conversation continues there.
            </Alert>
          )}
          <Conversation messages={messages} onSplit={closed ? undefined : onSplit} />
          {ticket.messages.pageInfo.hasNextPage && (
            <Text size="sm" c="dimmed">
              Showing the first 100 messages.
            </Text>
          )}
          <Viewers viewers={viewers} />
          <Composer
            ticket={ticket}
            base={base}
            onBaseChange={setBase}
            latestMessage={latestMessage}
            onComposingChange={onComposingChange}
          />
          <Accordion variant="contained" value={historyOpen} onChange={setHistoryOpen}>
            <Accordion.Item value="history">
              <Accordion.Control>
                History ({ticket.events.length} {ticket.events.length === 1 ? 'event' : 'events'})
              </Accordion.Control>
              <Accordion.Panel>
                {/* rendered when opened: a long history costs nothing on the way to the ticket */}
                {historyOpen && <EventHistory events={ticket.events} names={names} />}
              </Accordion.Panel>
            </Accordion.Item>
          </Accordion>
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 4 }}>
        {sideReady ? (
          <Stack gap="md">
            <PropertiesPanel
              ticket={ticket}
              onSaved={(t) =>
                // our own change must not look like someone else's to the composer
                setBase((b) =>
                  b && b.version === ticket.version ? { version: t.version, snapshot: t } : b,
                )
              }
            />
            <CustomerPanel customerId={ticket.customerId} />
            <FollowUpsPanel
              ticketId={ticket.id}
              followUps={data?.followUps.edges.map((e) => e.node) ?? []}
            />
          </Stack>
        ) : (
          <Stack gap="md">
            <Skeleton h={220} radius="md" />
            <Skeleton h={240} radius="md" />
          </Stack>
        )}
      </Grid.Col>
      <MergeModal ticket={ticket} opened={merging} onClose={() => setMerging(false)} />
      <SplitModal ticket={ticket} message={splitting} onClose={() => setSplitting(null)} />
      {loading && <span hidden>loading</span>}
    </Grid>
  );
}
