import { useMutation } from '@apollo/client/react';
import { Blockquote, Modal, Stack, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router';
import { FormActions } from '@/components/FormActions';
import {
  SplitTicketDocument,
  TicketPageDocument,
  type ConversationMessageFragment,
  type TicketDetailFragment,
} from '@/gql/graphql';
import { apiProblem, fieldMessage } from '@/lib/errors';

/** Move one customer message out of this ticket into a new ticket. */
export function SplitModal({
  ticket,
  message,
  onClose,
}: {
  ticket: TicketDetailFragment;
  message: ConversationMessageFragment | null;
  onClose: () => void;
}) {
  return (
    <Modal opened={message !== null} onClose={onClose} title="Split into a new ticket">
      {message && <SplitForm ticket={ticket} message={message} onDone={onClose} />}
    </Modal>
  );
}

function SplitForm({
  ticket,
  message,
  onDone,
}: {
  ticket: TicketDetailFragment;
  message: ConversationMessageFragment;
  onDone: () => void;
}) {
  const navigate = useNavigate();
  const fallback = `Split from #${ticket.number}: ${ticket.subject}`;
  const [subject, setSubject] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [split, { loading }] = useMutation(SplitTicketDocument, {
    refetchQueries: [TicketPageDocument],
  });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const { data } = await split({
        variables: {
          ticketId: ticket.id,
          messageId: message.id,
          subject: subject.trim() || null,
        },
      });
      if (!data) return;
      const created = data.splitTicket.ticket;
      notifications.show({
        color: 'teal',
        title: `Split into #${created.number}`,
        message: `The message moved out of #${ticket.number} into this new ticket.`,
      });
      onDone();
      navigate(`/tickets/${created.id}`);
    } catch (err) {
      const p = apiProblem(err);
      setError(p ? fieldMessage(p) : 'The message could not be split out.');
    }
  };

  const author = message.authorContact?.name ?? message.authorUser?.name ?? 'the customer';
  return (
    <form onSubmit={(e) => void submit(e)} noValidate>
      <Stack gap="md">
        <Blockquote p="sm" color="gray" cite={`— ${author}`}>
          <Text size="sm" lineClamp={4}>
            {message.body}
          </Text>
        </Blockquote>
        <TextInput
          label="Subject of the new ticket"
          placeholder={fallback}
          description="Leave empty to use the one shown."
          value={subject}
          onChange={(e) => {
            setSubject(e.currentTarget.value);
            setError(null);
          }}
          error={error}
          data-autofocus
        />
        <Text size="sm" c="dimmed">
          This message moves to a new ticket for the same customer, team and priority; both tickets
          record the split in their history.
        </Text>
        <FormActions onCancel={onDone} loading={loading}>
          Split into a new ticket
        </FormActions>
      </Stack>
    </form>
  );
}
