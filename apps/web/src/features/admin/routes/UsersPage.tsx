import { useMutation, useQuery } from '@apollo/client/react';
import {
  Alert,
  Badge,
  Button,
  Group,
  Menu,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import {
  AdminSendPasswordResetLinkDocument,
  AdminUnlockUserDocument,
  AdminUpdateUserDocument,
  AdminUsersDocument,
  type Role,
} from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { formatRelative, humanize } from '@/lib/format';
import { AdminTable } from '../components/AdminTable';
import { runAction } from '../hooks/runAction';
import { ROLES, UserDialog, type Dialog } from './UserForms';

/** Users: find, add, change role and teams, deactivate, lift sign-in locks, reset passwords. */
export function UsersPage() {
  const [search, setSearch] = useState('');
  const [role, setRole] = useState<string | null>(null);
  const [debounced] = useDebouncedValue(search.trim(), 250);
  const [dialog, setDialog] = useState<Dialog>(null);
  useEffect(() => {
    document.title = 'Users · Admin · Staydesk';
  }, []);
  const { data, loading, error, fetchMore } = useQuery(AdminUsersDocument, {
    variables: {
      first: 50,
      filter: { search: debounced || null, role: (role as Role | null) ?? null },
    },
  });
  const [update] = useMutation(AdminUpdateUserDocument);
  const [unlock] = useMutation(AdminUnlockUserDocument);
  const [sendLink] = useMutation(AdminSendPasswordResetLinkDocument);
  const teams = data?.teams ?? [];
  const users = data?.users.edges.map((e) => e.node) ?? [];

  return (
    <Stack gap="md">
      <Group justify="space-between" align="flex-end">
        <Group align="flex-end">
          <TextInput
            label="Search users"
            placeholder="Name or e-mail"
            value={search}
            onChange={(e) => setSearch(e.currentTarget.value)}
            w={260}
          />
          <Select
            label="Role"
            placeholder="Any role"
            data={ROLES}
            value={role}
            onChange={setRole}
            clearable
            w={200}
          />
        </Group>
        <Button onClick={() => setDialog({ kind: 'create' })}>New user</Button>
      </Group>
      {error && <Alert color="red">{apiProblem(error)?.message}</Alert>}
      <AdminTable
        columns={['Name', 'Role', 'Teams', 'Status', 'Last sign-in']}
        minWidth={720}
        highlightOnHover
        empty={!loading && users.length === 0 && 'No users match.'}
      >
        {users.map((u) => (
          <Table.Tr key={u.id}>
            <Table.Td>
              <Text fw={500}>{u.name}</Text>
              <Text size="sm" c="dimmed">
                {u.email}
              </Text>
            </Table.Td>
            <Table.Td>{humanize(u.role)}</Table.Td>
            <Table.Td>
              {u.teams.length ? (
                <Group gap={4}>
                  {u.teams.map((t) => (
                    <Badge
                      key={t.id}
                      variant={t.id === u.teamId ? 'light' : 'outline'}
                      color="gray"
                      tt="none"
                      title={t.id === u.teamId ? 'Home team' : undefined}
                    >
                      {t.name}
                    </Badge>
                  ))}
                </Group>
              ) : (
                <Text c="dimmed" size="sm">
                  No team
                </Text>
              )}
            </Table.Td>
            <Table.Td>
              <Badge color={u.active ? 'teal' : 'gray'} variant="light">
                {u.active ? 'Active' : 'Deactivated'}
              </Badge>
            </Table.Td>
            <Table.Td>{u.lastLoginAt ? formatRelative(u.lastLoginAt) : 'Never'}</Table.Td>
            <Table.Td ta="right">
              <Menu position="bottom-end" withinPortal>
                <Menu.Target>
                  <Button variant="default" size="xs" aria-label={`Actions for ${u.name}`}>
                    Manage
                  </Button>
                </Menu.Target>
                <Menu.Dropdown>
                  <Menu.Item onClick={() => setDialog({ kind: 'edit', user: u })}>
                    Change role or teams
                  </Menu.Item>
                  <Menu.Item
                    onClick={() =>
                      runAction(
                        () => sendLink({ variables: { id: u.id } }),
                        `A reset link is on its way to ${u.email} (it works once, for an hour).`,
                      )
                    }
                  >
                    Send reset link
                  </Menu.Item>
                  <Menu.Item onClick={() => setDialog({ kind: 'reset', user: u })}>
                    Set a new password
                  </Menu.Item>
                  <Menu.Item
                    onClick={() =>
                      runAction(
                        () => unlock({ variables: { id: u.id } }),
                        `Sign-in locks of ${u.name} lifted.`,
                      )
                    }
                  >
                    Unlock sign-in
                  </Menu.Item>
                  <Menu.Divider />
                  <Menu.Item
                    color={u.active ? 'red' : undefined}
                    onClick={() =>
                      runAction(
                        () => update({ variables: { id: u.id, input: { active: !u.active } } }),
                        u.active ? `${u.name} deactivated.` : `${u.name} reactivated.`,
                      )
                    }
                  >
                    {u.active ? 'Deactivate' : 'Reactivate'}
                  </Menu.Item>
                </Menu.Dropdown>
              </Menu>
            </Table.Td>
          </Table.Tr>
        ))}
      </AdminTable>
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {data ? `${users.length} of ${data.users.totalCount ?? users.length} users` : 'Loading…'}
        </Text>
        {data?.users.pageInfo.hasNextPage && (
          <Button
            variant="default"
            onClick={() => void fetchMore({ variables: { after: data.users.pageInfo.endCursor } })}
          >
            Show more
          </Button>
        )}
      </Group>
      <UserDialog dialog={dialog} teams={teams} onClose={() => setDialog(null)} />
    </Stack>
  );
}
