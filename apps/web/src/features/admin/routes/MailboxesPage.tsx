import { useMutation, useQuery } from '@apollo/client/react';
import {
  Alert,
  Badge,
  Group,
  Modal,
  NumberInput,
  PasswordInput,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { FormActions } from '@/components/FormActions';
import {
  AdminCreateMailboxDocument,
  AdminDeleteMailboxDocument,
  AdminMailboxesDocument,
  AdminSetMailboxActiveDocument,
  AdminTestMailboxDocument,
  type AdminMailboxFragment,
} from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { formatRelative } from '@/lib/format';
import { AdminForm } from '../components/AdminForm';
import { AdminTable, PageIntro, RowActions, RowButton } from '../components/AdminTable';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { runAction } from '../hooks/runAction';
import { useFieldErrors } from '../hooks/useFieldErrors';

/** IMAP mailboxes the worker imports mail from: add (password write-only), test, pause, remove. */
export function MailboxesPage() {
  const { data, error } = useQuery(AdminMailboxesDocument);
  const [adding, setAdding] = useState(false);
  const [removing, setRemoving] = useState<AdminMailboxFragment | null>(null);
  const [results, setResults] = useState<Record<string, { ok: boolean; message: string }>>({});
  const [test] = useMutation(AdminTestMailboxDocument);
  const [testing, setTesting] = useState<string | null>(null);
  const [setActive] = useMutation(AdminSetMailboxActiveDocument);
  const [remove, { loading: removingNow }] = useMutation(AdminDeleteMailboxDocument, {
    refetchQueries: ['AdminMailboxes'],
  });
  useEffect(() => {
    document.title = 'Mailboxes · Admin · Staydesk';
  }, []);
  const run = async (box: AdminMailboxFragment) => {
    setTesting(box.id);
    try {
      const r = await test({ variables: { id: box.id } });
      if (r.data) setResults((m) => ({ ...m, [box.id]: r.data!.testMailbox }));
    } catch (err) {
      setResults((m) => ({
        ...m,
        [box.id]: { ok: false, message: apiProblem(err)?.message ?? 'The test failed.' },
      }));
    } finally {
      setTesting(null);
    }
  };
  const boxes = data?.mailboxes ?? [];
  return (
    <Stack gap="md">
      <PageIntro action="Add mailbox" onAction={() => setAdding(true)}>
        The worker fetches new mail from each active mailbox every minute and files it as tickets
        and replies. Passwords are stored encrypted and never shown again.
      </PageIntro>
      {error && <Alert color="red">{apiProblem(error)?.message}</Alert>}
      <AdminTable
        columns={['Mailbox', 'Server', 'Folder', 'Last fetch', 'Status']}
        minWidth={760}
        empty={
          data &&
          boxes.length === 0 &&
          'No mailboxes yet. Mail can also arrive through the built-in SMTP receiver.'
        }
      >
        {boxes.map((b) => (
          <Table.Tr key={b.id}>
            <Table.Td>
              <Text fw={500}>{b.name}</Text>
              <Text size="sm" c="dimmed">
                {b.username}
              </Text>
              {results[b.id] && (
                <Text size="sm" c={results[b.id].ok ? 'teal.8' : 'red.8'} role="status">
                  {results[b.id].message}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              {b.host}:{b.port} {b.tls ? '(TLS)' : '(plain)'}
            </Table.Td>
            <Table.Td>
              {b.folder}
              {b.moveTo ? ` → ${b.moveTo}` : ''}
            </Table.Td>
            <Table.Td>
              {b.lastPolledAt ? formatRelative(b.lastPolledAt) : 'Not yet'}
              {b.lastError && (
                <Text size="sm" c="red.8">
                  {b.lastError}
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <Badge variant="light" color={b.active ? 'teal' : 'gray'}>
                {b.active ? 'Fetching' : 'Paused'}
              </Badge>
            </Table.Td>
            <RowActions>
              <RowButton
                verb="Test"
                name={b.name}
                loading={testing === b.id}
                onClick={() => void run(b)}
              />
              <RowButton
                verb={b.active ? 'Pause' : 'Resume'}
                name={b.name}
                onClick={() =>
                  void runAction(() => setActive({ variables: { id: b.id, active: !b.active } }))
                }
              />
              <RowButton verb="Remove" name={b.name} danger onClick={() => setRemoving(b)} />
            </RowActions>
          </Table.Tr>
        ))}
      </AdminTable>
      <Modal opened={adding} onClose={() => setAdding(false)} title="Add an IMAP mailbox">
        {adding && <MailboxForm onDone={() => setAdding(false)} />}
      </Modal>
      <ConfirmDialog
        opened={!!removing}
        onClose={() => setRemoving(null)}
        title={`Remove ${removing?.name ?? ''}?`}
        confirm="Remove mailbox"
        loading={removingNow}
        onConfirm={() => remove({ variables: { id: removing!.id } })}
        done={`${removing?.name ?? ''} removed.`}
      >
        Staydesk stops fetching from {removing?.username} at {removing?.host} and forgets its
        password. Tickets and messages already imported stay. To stop for a while, pause it instead.
      </ConfirmDialog>
    </Stack>
  );
}

function MailboxForm({ onDone }: { onDone(): void }) {
  const [name, setName] = useState('');
  const [host, setHost] = useState('');
  const [port, setPort] = useState<number | string>(993);
  const [tls, setTls] = useState(true);
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [folder, setFolder] = useState('INBOX');
  const [moveTo, setMoveTo] = useState('');
  const { errors, formError, handleSubmit, textProps } = useFieldErrors();
  const [create, { loading }] = useMutation(AdminCreateMailboxDocument, {
    refetchQueries: ['AdminMailboxes'],
  });
  const submit = handleSubmit(async () => {
    await create({
      variables: {
        input: {
          name,
          host: host.trim(),
          port: Number(port),
          tls,
          username,
          password,
          folder,
          moveTo: moveTo || null,
        },
      },
    });
    notifications.show({ message: `${name} added; test it from the list.`, color: 'teal' });
    onDone();
  }, 'The mailbox was not added.');
  return (
    <AdminForm onSubmit={submit} error={formError}>
      <TextInput label="Name" {...textProps('name', name, setName)} data-autofocus />
      <Group grow align="flex-start">
        <TextInput
          label="IMAP server"
          placeholder="imap.example.com"
          {...textProps('host', host, setHost)}
        />
        <NumberInput
          label="Port"
          value={port}
          onChange={setPort}
          min={1}
          max={65535}
          allowDecimal={false}
          error={errors.port}
          maw={120}
        />
      </Group>
      <Switch
        label="Implicit TLS (port 993)"
        checked={tls}
        onChange={(e) => setTls(e.currentTarget.checked)}
      />
      <TextInput
        label="User name"
        {...textProps('username', username, setUsername)}
        autoComplete="off"
      />
      <PasswordInput
        label="Password"
        description="Stored encrypted; it is never shown again."
        {...textProps('password', password, setPassword)}
        autoComplete="new-password"
      />
      <Group grow align="flex-start">
        <TextInput label="Folder" {...textProps('folder', folder, setFolder)} />
        <TextInput
          label="Move imported mail to"
          placeholder="Leave empty to mark it read"
          {...textProps('moveTo', moveTo, setMoveTo)}
        />
      </Group>
      <FormActions onCancel={onDone} loading={loading}>
        Add mailbox
      </FormActions>
    </AdminForm>
  );
}
