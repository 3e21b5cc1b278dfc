import { useLazyQuery, useMutation, useQuery } from '@apollo/client/react';
import {
  Alert,
  Badge,
  Button,
  Group,
  List,
  Modal,
  Paper,
  ScrollArea,
  Stack,
  Text,
  TextInput,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import {
  ApplyMacroDocument,
  MacroListDocument,
  PreviewMacroDocument,
  type TicketDetailFragment,
} from '@/gql/graphql';
import { useSession } from '@/app/session';
import { apiProblem } from '@/lib/errors';
import { humanize, snippet } from '@/lib/format';

interface Options {
  ticketId: string;
  version: number;
  /** Put the macro's rendered reply into the composer (the agent edits and sends it). */
  onInsert(text: string): void;
  /** The macro was applied (reply sent, actions done): the ticket as it is now. */
  onApplied(ticket: TicketDetailFragment): void;
}

/**
 * The composer's macro picker: `/` in an empty composer or the Macros button opens a searchable
 * list (most used first); choosing one shows the rendered reply and the changes before anything
 * is sent; then insert the text into the draft, or apply the whole macro.
 */
export function useMacroPicker({ ticketId, version, onInsert, onApplied }: Options) {
  const [opened, setOpened] = useState(false);
  const { user } = useSession();
  const show = (field: string, v: string | null | undefined) =>
    !v
      ? 'none'
      : field === 'assignee' && v === user?.id
        ? 'you'
        : field === 'status'
          ? humanize(v)
          : v;
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 200);
  const [chosen, setChosen] = useState<{ id: string; name: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const list = useQuery(MacroListDocument, {
    variables: { search: debounced || null },
    skip: !opened,
    fetchPolicy: 'cache-and-network',
  });
  const [preview, previewState] = useLazyQuery(PreviewMacroDocument, {
    fetchPolicy: 'network-only',
  });
  const [apply, applyState] = useMutation(ApplyMacroDocument, {
    refetchQueries: ['TicketPage', 'ViewCounts', 'Queue'],
  });

  const close = () => {
    setOpened(false);
    setChosen(null);
    setError(null);
    setSearch('');
  };
  const choose = (m: { id: string; name: string }) => {
    setChosen(m);
    setError(null);
    void preview({ variables: { ticketId, macroId: m.id } });
  };
  const plan = previewState.data?.previewMacro;
  const macros = list.data?.macros ?? [];

  const doApply = async () => {
    if (!chosen) return;
    try {
      const r = await apply({
        variables: { ticketId, macroId: chosen.id, expectedVersion: version },
      });
      if (r.data) onApplied(r.data.applyMacro.ticket);
      notifications.show({ color: 'teal', message: `Macro “${chosen.name}” applied` });
      close();
    } catch (err) {
      const p = apiProblem(err);
      setError(
        p?.code === 'CONFLICT'
          ? 'The ticket changed since you opened it. Close this, read the changes, then try again.'
          : (p?.message ?? 'The macro was not applied.'),
      );
    }
  };

  const button = (
    <Button variant="default" size="xs" onClick={() => setOpened(true)} aria-keyshortcuts="/">
      Macros
    </Button>
  );

  const modal = (
    <Modal
      opened={opened}
      onClose={close}
      title="Apply a macro"
      size="lg"
      closeButtonProps={{ 'aria-label': 'Close the macro picker' }}
    >
      {!chosen ? (
        <Stack gap="sm">
          <TextInput
            label="Search macros"
            placeholder="Name of the macro"
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            data-autofocus
            onKeyDown={(e) => {
              if (e.key === 'Enter' && macros[0]) choose(macros[0]);
            }}
          />
          <ScrollArea.Autosize mah={360}>
            <Stack gap={4} role="list" aria-label="Macros, most used first">
              {macros.map((m) => (
                <UnstyledButton
                  key={m.id}
                  role="listitem"
                  onClick={() => choose(m)}
                  p="xs"
                  style={{ borderRadius: 'var(--mantine-radius-sm)' }}
                  className="macro-option"
                >
                  <Group justify="space-between" wrap="nowrap">
                    <div>
                      <Text fw={600} size="sm">
                        {m.name}
                      </Text>
                      {m.body && (
                        <Text size="xs" c="dimmed">
                          {snippet(m.body, 90)}
                        </Text>
                      )}
                    </div>
                    <Group gap={4} wrap="nowrap">
                      <Badge variant="light" color="gray" size="sm">
                        {humanize(m.scope)}
                      </Badge>
                      <Badge variant="light" size="sm" aria-label={`used ${m.usageCount} times`}>
                        {m.usageCount}×
                      </Badge>
                    </Group>
                  </Group>
                </UnstyledButton>
              ))}
              {!list.loading && macros.length === 0 && (
                <Text size="sm" c="dimmed">
                  No macro matches.
                </Text>
              )}
            </Stack>
          </ScrollArea.Autosize>
        </Stack>
      ) : (
        <Stack gap="sm">
          <Text size="sm">
            What <b>{chosen.name}</b> will do to this ticket:
          </Text>
          {previewState.error && (
            <Alert color="red" role="alert">
              {apiProblem(previewState.error)?.message}
            </Alert>
          )}
          {plan && (
            <>
              {plan.reply ? (
                <Paper withBorder p="sm" radius="sm">
                  <Text size="xs" fw={700} c="dimmed" mb={4}>
                    Reply to the customer
                  </Text>
                  <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                    {plan.reply}
                  </Text>
                </Paper>
              ) : (
                <Text size="sm" c="dimmed">
                  No reply.
                </Text>
              )}
              {plan.note && (
                <Paper withBorder p="sm" radius="sm" bg="var(--mantine-color-yellow-light)">
                  <Text size="xs" fw={700} c="dimmed" mb={4}>
                    Internal note
                  </Text>
                  <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
                    {plan.note}
                  </Text>
                </Paper>
              )}
              {plan.changes.length > 0 && (
                <List size="sm" spacing={2} aria-label="Changes">
                  {plan.changes.map((c) => (
                    <List.Item key={c.field}>
                      {humanize(c.field)}: {show(c.field, c.from)} → {show(c.field, c.to)}
                    </List.Item>
                  ))}
                </List>
              )}
            </>
          )}
          {error && (
            <Alert color="red" role="alert" title="Not applied">
              {error}
            </Alert>
          )}
          <Group justify="space-between">
            <Button variant="subtle" onClick={() => setChosen(null)}>
              Back to the list
            </Button>
            <Group gap="xs">
              <Button
                variant="default"
                disabled={!plan?.reply}
                onClick={() => {
                  if (plan?.reply) onInsert(plan.reply);
                  close();
                }}
              >
                Insert reply into draft
              </Button>
              <Button onClick={() => void doApply()} loading={applyState.loading} disabled={!plan}>
                Apply macro
              </Button>
            </Group>
          </Group>
        </Stack>
      )}
    </Modal>
  );

  return { open: () => setOpened(true), button, modal };
}
