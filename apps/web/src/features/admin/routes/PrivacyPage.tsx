import { useApolloClient, useMutation, useQuery } from '@apollo/client/react';
import {
  Alert,
  Button,
  Group,
  List,
  Modal,
  Paper,
  Stack,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import {
  AdminContactSearchDocument,
  AdminEraseContactDocument,
  AdminErasurePreviewDocument,
  AdminExportContactDocument,
} from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { formatDateTime } from '@/lib/format';

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** Data-subject requests: find a contact, download everything stored about them, or erase them. */
export function PrivacyPage() {
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const [contactId, setContactId] = useState<string | null>(null);
  useEffect(() => {
    document.title = 'Privacy · Admin · Staydesk';
  }, []);
  const found = useQuery(AdminContactSearchDocument, {
    variables: { search: debounced },
    skip: debounced.length < 2,
  });
  const customers = found.data?.customers.edges.map((e) => e.node) ?? [];
  return (
    <Stack gap="md" maw={860}>
      <Text c="dimmed" size="sm">
        For access and erasure requests. An export holds the contact, their tickets, the messages
        they wrote or received and their surveys. Erasure anonymises the person everywhere and
        cannot be undone; ticket timings and scores stay for the reports.
      </Text>
      <TextInput
        label="Find a contact"
        description="Customer name or domain, or the start of the contact's e-mail"
        value={search}
        onChange={(e) => setSearch(e.currentTarget.value)}
        maw={420}
      />
      {debounced.length >= 2 && (
        <Paper withBorder radius="md" p="xs">
          {customers.length === 0 && !found.loading && (
            <Text c="dimmed" size="sm" p="xs">
              No customer or contact matches.
            </Text>
          )}
          <Stack gap={2}>
            {customers.flatMap((c) =>
              c.contacts.map((p) => (
                <UnstyledButton
                  key={p.id}
                  onClick={() => setContactId(p.id)}
                  p="xs"
                  aria-pressed={contactId === p.id}
                  style={{
                    borderRadius: 6,
                    background:
                      contactId === p.id ? 'var(--mantine-color-default-hover)' : undefined,
                  }}
                >
                  <Text size="sm" fw={500}>
                    {p.name} &lt;{p.email}&gt;
                  </Text>
                  <Text size="xs" c="dimmed">
                    {c.name}
                  </Text>
                </UnstyledButton>
              )),
            )}
          </Stack>
        </Paper>
      )}
      {contactId && <ContactPrivacy contactId={contactId} />}
    </Stack>
  );
}

function ContactPrivacy({ contactId }: { contactId: string }) {
  const client = useApolloClient();
  const { data, error, refetch } = useQuery(AdminErasurePreviewDocument, {
    variables: { contactId },
    fetchPolicy: 'network-only',
  });
  const [confirming, setConfirming] = useState(false);
  const [typed, setTyped] = useState('');
  const [exporting, setExporting] = useState(false);
  const [erase, { loading }] = useMutation(AdminEraseContactDocument);
  const p = data?.contactErasurePreview;
  if (error) return <Alert color="red">{apiProblem(error)?.message}</Alert>;
  if (!p) return null;

  const download = async () => {
    setExporting(true);
    try {
      const r = await client.query({
        query: AdminExportContactDocument,
        variables: { contactId },
        fetchPolicy: 'network-only',
      });
      const blob = new Blob([JSON.stringify(r.data?.exportContactData, null, 2)], {
        type: 'application/json',
      });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `contact-${contactId}-export.json`;
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (err) {
      notifications.show({ message: apiProblem(err)?.message, color: 'red' });
    } finally {
      setExporting(false);
    }
  };

  const items = [
    `the name "${p.name}", the e-mail address ${p.email} and the phone number`,
    `the subjects of ${plural(p.ticketsErased, 'ticket')} they asked for`,
    `the text of ${plural(p.messagesErased, 'message')} (on those tickets and any they wrote)`,
    `the notes and outcomes of ${plural(p.followUpsErased, 'follow-up')} on those tickets`,
    `their link to ${plural(p.surveysDetached, 'survey')} and its comments (scores stay)`,
  ];

  return (
    <Paper withBorder radius="md" p="lg">
      <Stack>
        <div>
          <Title order={2} size="h3">
            {p.name}
          </Title>
          <Text c="dimmed" size="sm">
            {p.email} · {p.customerName}
          </Text>
        </div>
        {p.erasedAt ? (
          <Alert color="gray">This contact was erased on {formatDateTime(p.erasedAt)}.</Alert>
        ) : (
          <Text size="sm">
            Stored: {plural(p.ticketsErased, 'ticket')}, {plural(p.messagesErased, 'message')},{' '}
            {plural(p.surveysDetached, 'survey')}, {plural(p.followUpsErased, 'follow-up')} with
            notes.
          </Text>
        )}
        <Group>
          <Button variant="default" onClick={() => void download()} loading={exporting}>
            Download data (JSON)
          </Button>
          {!p.erasedAt && (
            <Button
              color="red"
              variant="light"
              onClick={() => {
                setTyped('');
                setConfirming(true);
              }}
            >
              Erase contact…
            </Button>
          )}
        </Group>
      </Stack>
      <Modal
        opened={confirming}
        onClose={() => setConfirming(false)}
        title={`Erase ${p.name} for good?`}
      >
        <Stack>
          <Text size="sm">This replaces, everywhere and irreversibly:</Text>
          <List size="sm" spacing={4}>
            {items.map((i) => (
              <List.Item key={i}>{i}</List.Item>
            ))}
          </List>
          <Text size="sm">
            Ticket history, timings, scores and sentiment stay for the reports. The erasure is
            recorded in the audit log by contact id only.
          </Text>
          <TextInput
            label={`Type ${p.email} to confirm`}
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            autoComplete="off"
          />
          <Group justify="flex-end">
            <Button variant="default" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
            <Button
              color="red"
              disabled={typed.trim().toLowerCase() !== p.email.toLowerCase()}
              loading={loading}
              onClick={async () => {
                try {
                  const r = await erase({ variables: { contactId } });
                  const e = r.data!.eraseContact;
                  notifications.show({
                    color: 'teal',
                    message: `Erased: ${plural(e.ticketsErased, 'ticket')}, ${plural(e.messagesErased, 'message')}, ${plural(e.surveysDetached, 'survey')} detached.`,
                  });
                  setConfirming(false);
                  await refetch();
                } catch (err) {
                  notifications.show({ message: apiProblem(err)?.message, color: 'red' });
                }
              }}
            >
              Erase contact
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}
