import { useApolloClient, useMutation } from '@apollo/client/react';
import {
  Alert,
  Button,
  Group,
  Kbd,
  List,
  Paper,
  SegmentedControl,
  Stack,
  Text,
  Textarea,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useRef, useState } from 'react';
import {
  AddInternalNoteDocument,
  ChangeTicketStatusDocument,
  ReplyToTicketDocument,
  TicketVersionDocument,
  type TicketDetailFragment,
} from '@/gql/graphql';
import { mutationsInFlight } from '@/lib/apollo';
import { apiProblem, fieldMessage, isUnavailable, UNREACHABLE } from '@/lib/errors';
import { humanize, snippet } from '@/lib/format';
import { useShortcuts } from '@/lib/use-shortcuts';
import { useMacroPicker } from '@/features/automations/widgets';
import { useDraft } from '../hooks/useDraft';

export interface BaseVersion {
  version: number;
  snapshot: TicketDetailFragment;
}

const REFRESH = ['TicketPage', 'ViewCounts', 'Queue'];

const GROWING = {
  input: { fieldSizing: 'content', minHeight: '7.5rem', maxHeight: '24rem', resize: 'vertical' },
} as const;

/** How long a newer version may wait for our own mutation's answer before it counts as someone else's. */
const SETTLE_MS = 400;

/**
 * Reply or internal note, with "send and set status". The text is a draft in localStorage
 * until the api confirmed it. A reply carries the version the agent was looking at: when the
 * ticket changed meanwhile the composer shows what changed and keeps the draft — at once when
 * the live update arrives (`ticket` is the cache's, which live events update), or at the
 * latest on CONFLICT when sending.
 */
export function Composer({
  ticket,
  base,
  onBaseChange,
  latestMessage,
  onComposingChange,
}: {
  ticket: TicketDetailFragment;
  base: BaseVersion;
  onBaseChange(b: BaseVersion): void;
  /** The newest message of the conversation, to name it among the changes. */
  latestMessage?: Current['lastMessage'];
  /** Whether the agent is writing (focused with text), for the presence heartbeat. */
  onComposingChange?(composing: boolean): void;
}) {
  const client = useApolloClient();
  const draft = useDraft(ticket.id);
  const textarea = useRef<HTMLTextAreaElement>(null);
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [sendError, setSendError] = useState<string | null>(null);
  const [changes, setChanges] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [reply] = useMutation(ReplyToTicketDocument, { refetchQueries: REFRESH });
  const [note] = useMutation(AddInternalNoteDocument, { refetchQueries: REFRESH });
  const [changeStatus] = useMutation(ChangeTicketStatusDocument, { refetchQueries: REFRESH });
  const macros = useMacroPicker({
    ticketId: ticket.id,
    version: base.version,
    onInsert: (text) => {
      draft.update({ mode: 'reply', body: text });
      requestAnimationFrame(() => textarea.current?.focus());
    },
    onApplied: (t) => onBaseChange({ version: t.version, snapshot: t }),
  });

  // live: a newer version than the one the agent is writing against. Without a draft there is
  // nothing to protect (the base follows); with one, the changes are shown now (and kept up to
  // date while more arrive). Our own mutations are waited for (their answer moves the base), so
  // they never look like news.
  const [liveStale, setLiveStale] = useState(false);
  const live = useRef({ ticket, base, busy, body: draft.body });
  live.current = { ticket, base, busy, body: draft.body };
  useEffect(() => {
    if (ticket.version <= base.version) {
      setLiveStale(false);
      return;
    }
    let timer = setTimeout(function settle() {
      const now = live.current;
      if (now.ticket.version <= now.base.version) return;
      if (now.busy || mutationsInFlight() > 0) {
        timer = setTimeout(settle, SETTLE_MS);
        return;
      }
      if (now.body.trim() === '')
        onBaseChange({ version: now.ticket.version, snapshot: now.ticket });
      else setLiveStale(true);
    }, SETTLE_MS);
    return () => clearTimeout(timer);
  }, [ticket.version, base.version, onBaseChange]);
  const shownChanges =
    changes ??
    (liveStale ? describeChanges(base.snapshot, { ...ticket, lastMessage: latestMessage }) : null);

  const [focused, setFocused] = useState(false);
  const composing = focused && draft.body.trim() !== '';
  useEffect(() => onComposingChange?.(composing), [composing, onComposingChange]);

  const focus = (mode: 'reply' | 'note') => {
    draft.update({ mode });
    requestAnimationFrame(() => textarea.current?.focus());
  };
  useShortcuts({
    reply: () => focus('reply'),
    note: () => focus('note'),
    send: () => void send(),
  });

  const showConflict = async () => {
    const { data } = await client.query({
      query: TicketVersionDocument,
      variables: { id: ticket.id },
      fetchPolicy: 'network-only',
    });
    if (!data) return;
    setChanges(describeChanges(base.snapshot, data.ticket));
    void client.refetchQueries({ include: ['TicketPage'] });
  };

  async function send(status?: 'pending' | 'solved') {
    if (busy) return;
    const body = draft.body;
    setSendError(null);
    setFieldError(null);
    if (body.trim() === '') {
      setFieldError(`Write the ${draft.mode === 'reply' ? 'reply' : 'note'} first.`);
      textarea.current?.focus();
      return;
    }
    setBusy(true);
    try {
      let latest: TicketDetailFragment | undefined;
      if (draft.mode === 'reply') {
        const r = await reply({
          variables: { id: ticket.id, body, expectedVersion: base.version },
        });
        latest = r.data?.replyToTicket.ticket;
      } else {
        const r = await note({ variables: { id: ticket.id, body } });
        latest = r.data?.addInternalNote.ticket;
      }
      draft.clear();
      setChanges(null);
      if (status) {
        // no version check here: the message itself was checked, and the worker may touch the
        // ticket right after it (SLA, first response) without changing what the agent decided
        const r = await changeStatus({ variables: { id: ticket.id, status } });
        latest = r.data?.changeTicketStatus;
      }
      if (latest) onBaseChange({ version: latest.version, snapshot: latest });
      notifications.show({
        color: 'teal',
        message: `${draft.mode === 'reply' ? 'Reply sent' : 'Note added'}${status ? ` · ticket ${status}` : ''}`,
      });
    } catch (err) {
      const p = apiProblem(err);
      if (p?.code === 'CONFLICT') {
        await showConflict().catch(() => setChanges(['The ticket changed; reload it to see how.']));
      } else if (isUnavailable(err)) {
        setSendError(UNREACHABLE);
      } else if (p?.code === 'BAD_USER_INPUT' && p.field === 'body') {
        setFieldError(fieldMessage(p));
      } else {
        setSendError(p?.message ?? 'The message was not sent.');
      }
    } finally {
      setBusy(false);
    }
  }

  const label = draft.mode === 'reply' ? 'Reply to the customer' : 'Internal note';
  return (
    <Paper
      withBorder
      p="md"
      radius="md"
      bg={draft.mode === 'note' ? 'var(--mantine-color-yellow-light)' : undefined}
    >
      <Stack gap="sm">
        <SegmentedControl
          aria-label="Message type"
          value={draft.mode}
          onChange={(v) => draft.update({ mode: v as 'reply' | 'note' })}
          data={[
            { value: 'reply', label: 'Public reply' },
            { value: 'note', label: 'Internal note' },
          ]}
          w={{ base: '100%', sm: 'auto' }}
          style={{ alignSelf: 'flex-start' }}
        />
        <Group gap="xs">
          {macros.button}
          <Text size="xs" c="dimmed">
            or type <Kbd>/</Kbd> in an empty box
          </Text>
        </Group>
        {macros.modal}
        {shownChanges && (
          <Alert color="orange" title="This ticket changed while you were writing" role="alert">
            <List size="sm" spacing={2}>
              {shownChanges.map((c) => (
                <List.Item key={c}>{c}</List.Item>
              ))}
            </List>
            <Text size="sm" mt="xs">
              {changes
                ? 'Your draft is kept below. Read the changes, then send again.'
                : 'Your draft is kept below. Read the changes before you send it.'}
            </Text>
            <Button
              size="xs"
              mt="xs"
              variant="light"
              color="orange"
              onClick={() => {
                onBaseChange({ version: ticket.version, snapshot: ticket });
                setChanges(null);
                setLiveStale(false);
              }}
            >
              I have read them
            </Button>
          </Alert>
        )}
        {sendError && (
          <Alert color="red" title="Not sent" role="alert">
            {sendError}
          </Alert>
        )}
        <Textarea
          ref={textarea}
          label={label}
          description={
            draft.mode === 'note'
              ? 'Only agents see internal notes.'
              : `Goes to ${ticket.requester.name} <${ticket.requester.email}>.`
          }
          placeholder={draft.mode === 'reply' ? 'Write a reply…' : 'Write a note for your team…'}
          // grows with its text by CSS (field-sizing), not by measuring on every render: the
          // measuring autosize cost ~40 ms of forced style recalculation when a ticket opened
          rows={4}
          styles={GROWING}
          value={draft.body}
          error={fieldError}
          onChange={(e) => draft.update({ body: e.currentTarget.value })}
          onFocus={() => setFocused(true)}
          onBlur={() => setFocused(false)}
          onKeyDown={(e) => {
            // Escape leaves the text box, so the single-key shortcuts (j, k, r, n) work again
            if (e.key === 'Escape') e.currentTarget.blur();
            if (e.key === '/' && draft.body === '') {
              e.preventDefault();
              macros.open();
            }
          }}
        />
        <Group justify="space-between" wrap="wrap" gap="xs">
          <Text size="xs" c="dimmed">
            <Kbd>Ctrl</Kbd> + <Kbd>Enter</Kbd> sends · drafts are saved in this browser
          </Text>
          <Group gap="xs">
            <Button
              variant="default"
              onClick={() => void send('pending')}
              disabled={busy || shownChanges !== null}
            >
              Send and set pending
            </Button>
            <Button
              variant="default"
              onClick={() => void send('solved')}
              disabled={busy || shownChanges !== null}
            >
              Send and set solved
            </Button>
            <Button onClick={() => void send()} loading={busy} disabled={shownChanges !== null}>
              {draft.mode === 'reply' ? 'Send reply' : 'Add note'}
            </Button>
          </Group>
        </Group>
      </Stack>
    </Paper>
  );
}

type Current = TicketDetailFragment & {
  lastMessage?: {
    kind: string;
    body: string;
    createdAt: string;
    authorUser?: { name: string } | null;
    authorContact?: { name: string } | null;
  } | null;
};

/** What changed between the version the agent saw and the current one, in words. */
export function describeChanges(before: TicketDetailFragment, now: Current): string[] {
  const out: string[] = [];
  if (before.status !== now.status)
    out.push(`Status: ${humanize(before.status)} → ${humanize(now.status)}`);
  if (before.priority !== now.priority)
    out.push(`Priority: ${humanize(before.priority)} → ${humanize(now.priority)}`);
  if ((before.assignee?.id ?? null) !== (now.assignee?.id ?? null))
    out.push(`Assignee: ${before.assignee?.name ?? 'nobody'} → ${now.assignee?.name ?? 'nobody'}`);
  if ((before.team?.id ?? null) !== (now.team?.id ?? null))
    out.push(`Team: ${before.team?.name ?? 'none'} → ${now.team?.name ?? 'none'}`);
  if (before.subject !== now.subject) out.push(`Subject: “${now.subject}”`);
  if (before.tags.join(',') !== now.tags.join(','))
    out.push(`Tags: ${now.tags.length ? now.tags.join(', ') : 'none'}`);
  const m = now.lastMessage;
  if (m && new Date(m.createdAt) > new Date(before.updatedAt)) {
    const who = m.authorUser?.name ?? m.authorContact?.name ?? 'someone';
    const what =
      m.kind === 'customer_message'
        ? 'New message'
        : m.kind === 'internal_note'
          ? 'New internal note'
          : 'New reply';
    out.push(`${what} from ${who}: “${snippet(m.body, 120)}”`);
  }
  if (out.length === 0)
    out.push(`The ticket was updated (version ${before.version} → ${now.version}).`);
  return out;
}
