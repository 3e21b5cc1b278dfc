import { useMutation, useQuery } from '@apollo/client/react';
import { Alert, Group, Loader, Modal, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { FormActions } from '@/components/FormActions';
import { StatusBadge } from '@/components/badges';
import {
  MergeTargetByNumberDocument,
  MergeTicketsDocument,
  TicketPageDocument,
  type TicketDetailFragment,
} from '@/gql/graphql';
import { apiProblem, fieldMessage } from '@/lib/errors';

/** Merge this ticket (a duplicate) into another one, found by its number. */
export function MergeModal({
  ticket,
  opened,
  onClose,
}: {
  ticket: TicketDetailFragment;
  opened: boolean;
  onClose: () => void;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={`Merge #${ticket.number} into another ticket`}>
      {opened && <MergeForm ticket={ticket} onDone={onClose} />}
    </Modal>
  );
}

function MergeForm({ ticket, onDone }: { ticket: TicketDetailFragment; onDone: () => void }) {
  const navigate = useNavigate();
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | null>(null);
  const typed = value.trim().replace(/^#/, '');
  const valid = /^\d+$/.test(typed);
  const [n] = useDebouncedValue(valid ? typed : '', 250);
  // the same lookup as the command palette: a search for "#1042", then the exact number
  const lookup = useQuery(MergeTargetByNumberDocument, {
    variables: { search: `#${n}` },
    skip: !n,
    fetchPolicy: 'network-only',
  });
  const target =
    n && n === typed
      ? lookup.data?.tickets.edges.find((e) => String(e.node.number) === n)?.node
      : undefined;
  const [merge, { loading }] = useMutation(MergeTicketsDocument, {
    refetchQueries: [TicketPageDocument],
  });

  const notFound =
    n === typed && n && !lookup.loading && lookup.data && !target
      ? `There is no ticket #${n} you can see.`
      : null;
  const shown =
    error ?? notFound ?? (value.trim() && !valid ? 'Give a ticket number, like 1042.' : null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!target) {
      setError(
        valid
          ? `Wait until #${typed} is found, or check the number.`
          : 'Give a ticket number, like 1042.',
      );
      return;
    }
    setError(null);
    try {
      const { data } = await merge({ variables: { sourceId: ticket.id, targetId: target.id } });
      if (!data) return;
      notifications.show({
        color: 'teal',
        title: `#${ticket.number} merged into #${target.number}`,
        message: `Its messages and tags are here now; #${ticket.number} is closed with a link to this ticket.`,
      });
      onDone();
      navigate(`/tickets/${data.mergeTickets.target.id}`);
    } catch (err) {
      const p = apiProblem(err);
      setError(p ? fieldMessage(p) : 'The tickets could not be merged.');
    }
  };

  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <Stack gap="md">
        <TextInput
          label="Merge into ticket"
          description="The number of the ticket that stays, like 1042 or #1042."
          placeholder="#1042"
          value={value}
          onChange={(e) => {
            setValue(e.currentTarget.value);
            setError(null);
          }}
          error={shown}
          rightSection={
            valid && (typed !== n || lookup.loading) ? <Loader size="xs" aria-hidden /> : null
          }
          data-autofocus
          autoComplete="off"
        />
        {target && (
          <Paper withBorder p="sm" radius="md" aria-label="Ticket that stays">
            <Group justify="space-between" wrap="nowrap" align="flex-start">
              <div style={{ minWidth: 0 }}>
                <Text fw={600} size="sm" style={{ overflowWrap: 'anywhere' }}>
                  #{target.number} {target.subject}
                </Text>
                <Text size="sm" c="dimmed">
                  Requested by {target.requester.name}
                </Text>
              </div>
              <StatusBadge status={target.status} />
            </Group>
          </Paper>
        )}
        <Alert color="gray" variant="light">
          <Text size="sm">
            The messages and tags of #{ticket.number} move to{' '}
            {target ? `#${target.number}` : 'that ticket'}; #{ticket.number} closes with a link to
            it, and its requester is told by e-mail. Nothing is deleted.
          </Text>
        </Alert>
        <FormActions onCancel={onDone} loading={loading} disabled={!target}>
          {target ? `Merge into #${target.number}` : 'Merge'}
        </FormActions>
      </Stack>
    </form>
  );
}
