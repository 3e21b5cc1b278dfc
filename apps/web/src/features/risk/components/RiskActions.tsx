import { useMutation } from '@apollo/client/react';
import {
  ActionIcon,
  Alert,
  Button,
  Group,
  Menu,
  Modal,
  NumberInput,
  Stack,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState, type FormEvent } from 'react';
import {
  LogOutreachDocument,
  MarkChurnedDocument,
  MarkRetainedDocument,
  SnoozeCustomerDocument,
  UnsnoozeCustomerDocument,
} from '@/gql/graphql';
import { apiProblem, fieldMessage, type ApiProblem } from '@/lib/errors';

export type RiskAction = 'snooze' | 'outreach' | 'retained' | 'churned';

const REFETCH = ['RiskList', 'CustomerPage', 'CustomerFollowUps', 'CustomerTimeline'];

/** The row menu of the risk list: snooze, unsnooze, log outreach, mark retained or churned. */
export function RiskActionsMenu({
  customerId,
  customerName,
  snoozed,
}: {
  customerId: string;
  customerName: string;
  snoozed: boolean;
}) {
  const [open, setOpen] = useState<RiskAction | null>(null);
  const [unsnooze, { loading }] = useMutation(UnsnoozeCustomerDocument, {
    refetchQueries: REFETCH,
    awaitRefetchQueries: true,
  });
  return (
    <>
      <Menu position="bottom-end" withinPortal>
        <Menu.Target>
          <ActionIcon
            variant="subtle"
            color="gray"
            aria-label={`Actions for ${customerName}`}
            loading={loading}
          >
            <span aria-hidden>⋯</span>
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Item onClick={() => setOpen('outreach')}>Log outreach…</Menu.Item>
          {snoozed ? (
            <Menu.Item
              onClick={() =>
                unsnooze({ variables: { customerId } }).then(
                  () =>
                    notifications.show({
                      message: `${customerName} is back on the risk list.`,
                      color: 'teal',
                    }),
                  (e: unknown) =>
                    notifications.show({
                      message: apiProblem(e)?.message ?? 'Could not unsnooze.',
                      color: 'red',
                    }),
                )
              }
            >
              Unsnooze
            </Menu.Item>
          ) : (
            <Menu.Item onClick={() => setOpen('snooze')}>Snooze…</Menu.Item>
          )}
          <Menu.Divider />
          <Menu.Item onClick={() => setOpen('retained')}>Mark retained…</Menu.Item>
          <Menu.Item color="red" onClick={() => setOpen('churned')}>
            Mark churned…
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <RiskActionModal
        action={open}
        customerId={customerId}
        customerName={customerName}
        onClose={() => setOpen(null)}
      />
    </>
  );
}

const TITLES: Record<RiskAction, string> = {
  snooze: 'Snooze',
  outreach: 'Log outreach with',
  retained: 'Mark retained:',
  churned: 'Mark churned:',
};

/** One dialog per action; the API's refusal is shown next to its field (or above the form). */
export function RiskActionModal({
  action,
  customerId,
  customerName,
  onClose,
}: {
  action: RiskAction | null;
  customerId: string;
  customerName: string;
  onClose: () => void;
}) {
  return (
    <Modal
      opened={action !== null}
      onClose={onClose}
      title={action ? `${TITLES[action]} ${customerName}` : ''}
      centered
    >
      {action && (
        <ActionForm
          key={action}
          action={action}
          customerId={customerId}
          customerName={customerName}
          onDone={onClose}
        />
      )}
    </Modal>
  );
}

function tomorrowPlus(days: number): string {
  const d = new Date(Date.now() + days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

function ActionForm({
  action,
  customerId,
  customerName,
  onDone,
}: {
  action: RiskAction;
  customerId: string;
  customerName: string;
  onDone: () => void;
}) {
  const [days, setDays] = useState<number | string>(30);
  const [text, setText] = useState('');
  const [next, setNext] = useState(tomorrowPlus(14));
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const opts = { refetchQueries: REFETCH, awaitRefetchQueries: true };
  const [snooze, s1] = useMutation(SnoozeCustomerDocument, opts);
  const [outreach, s2] = useMutation(LogOutreachDocument, opts);
  const [retained, s3] = useMutation(MarkRetainedDocument, opts);
  const [churned, s4] = useMutation(MarkChurnedDocument, opts);
  const busy = s1.loading || s2.loading || s3.loading || s4.loading;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setProblem(null);
    try {
      if (action === 'snooze') {
        await snooze({ variables: { customerId, days: Number(days), reason: text } });
        notifications.show({
          message: `${customerName} snoozed for ${days} days.`,
          color: 'teal',
        });
      } else if (action === 'outreach') {
        const at = next ? new Date(`${next}T09:00:00`).toISOString() : null;
        await outreach({ variables: { customerId, note: text, nextFollowUpAt: at } });
        notifications.show({
          message: next
            ? `Outreach logged; next follow-up on ${new Date(at!).toLocaleDateString()}.`
            : 'Outreach logged.',
          color: 'teal',
        });
      } else if (action === 'retained') {
        await retained({ variables: { customerId, note: text } });
        notifications.show({ message: `${customerName} marked retained.`, color: 'teal' });
      } else {
        await churned({ variables: { customerId, reason: text } });
        notifications.show({ message: `${customerName} marked churned.`, color: 'orange' });
      }
      onDone();
    } catch (err) {
      setProblem(apiProblem(err));
    }
  };

  const errorOf = (...fields: string[]) =>
    problem && problem.field && fields.includes(problem.field) ? fieldMessage(problem) : undefined;
  const general = problem && !errorOf('days', 'reason', 'note', 'nextFollowUpAt') ? problem : null;
  const textLabel =
    action === 'snooze'
      ? 'Reason'
      : action === 'outreach'
        ? 'What was said'
        : action === 'retained'
          ? 'Note'
          : 'Reason for the churn';

  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        {general && (
          <Alert
            color="red"
            role="alert"
            title={general.code === 'FORBIDDEN' ? 'Not allowed' : undefined}
          >
            {general.message}
          </Alert>
        )}
        {action === 'churned' && (
          <Text size="sm">
            {customerName} leaves the risk list and counts as churned from today in the retention
            figures.
          </Text>
        )}
        {action === 'snooze' && (
          <NumberInput
            label="Days"
            description="1 to 365; the customer returns to the list after."
            min={1}
            max={365}
            value={days}
            onChange={setDays}
            error={errorOf('days')}
            required
          />
        )}
        <Textarea
          label={textLabel}
          value={text}
          onChange={(e) => setText(e.currentTarget.value)}
          error={errorOf('reason', 'note')}
          autosize
          minRows={2}
          required
          data-autofocus
        />
        {action === 'outreach' && (
          <TextInput
            type="date"
            label="Next follow-up"
            description="Leave empty for none."
            value={next}
            onChange={(e) => setNext(e.currentTarget.value)}
            error={errorOf('nextFollowUpAt')}
          />
        )}
        <Group justify="flex-end" mt="xs">
          <Button variant="default" onClick={onDone} type="button">
            Cancel
          </Button>
          <Button type="submit" loading={busy} color={action === 'churned' ? 'red' : undefined}>
            {action === 'snooze'
              ? `Snooze for ${days || '…'} days`
              : action === 'outreach'
                ? 'Log outreach'
                : action === 'retained'
                  ? 'Mark retained'
                  : 'Mark churned'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
