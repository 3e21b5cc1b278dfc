import { useMutation, useQuery } from '@apollo/client/react';
import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Menu,
  Modal,
  MultiSelect,
  Paper,
  PasswordInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useEffect, useState, type FormEvent } from 'react';
import {
  AdminCreateUserDocument,
  AdminSendPasswordResetLinkDocument,
  AdminUnlockUserDocument,
  AdminUpdateUserDocument,
  AdminUsersDocument,
  type AdminUserFragment,
  type Role,
} from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { formatRelative, humanize } from '@/lib/format';
import { asForm, generatePassword, useFieldErrors } from '../hooks/useFieldErrors';

const ROLES: { value: Role; label: string }[] = [
  { value: 'agent', label: 'Agent' },
  { value: 'team_lead', label: 'Team lead' },
  { value: 'account_manager', label: 'Account manager' },
  { value: 'admin', label: 'Admin' },
];

type Dialog =
  | { kind: 'create' }
  | { kind: 'edit'; user: AdminUserFragment }
  | { kind: 'reset'; user: AdminUserFragment }
  | null;

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

  const act = async (what: () => Promise<unknown>, done: string) => {
    try {
      await what();
      notifications.show({ message: done, color: 'teal' });
    } catch (err) {
      notifications.show({ message: apiProblem(err)?.message ?? 'Not changed.', color: 'red' });
    }
  };

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
      <Paper withBorder radius="md">
        <Table.ScrollContainer minWidth={720}>
          <Table verticalSpacing="sm" highlightOnHover>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Role</Table.Th>
                <Table.Th>Teams</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Last sign-in</Table.Th>
                <Table.Th>
                  <VisuallyHidden>Actions</VisuallyHidden>
                </Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
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
                            act(
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
                            act(
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
                            act(
                              () =>
                                update({ variables: { id: u.id, input: { active: !u.active } } }),
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
              {!loading && users.length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={6}>
                    <Text c="dimmed" ta="center" py="md">
                      No users match.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      </Paper>
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

function UserDialog({
  dialog,
  teams,
  onClose,
}: {
  dialog: Dialog;
  teams: { id: string; name: string }[];
  onClose(): void;
}) {
  const title =
    dialog?.kind === 'create'
      ? 'New user'
      : dialog?.kind === 'edit'
        ? `Change ${dialog.user.name}`
        : dialog?.kind === 'reset'
          ? `Reset the password of ${dialog.user.name}`
          : '';
  return (
    <Modal opened={!!dialog} onClose={onClose} title={title} size="md">
      {dialog?.kind === 'create' && <CreateUserForm teams={teams} onDone={onClose} />}
      {dialog?.kind === 'edit' && (
        <EditUserForm user={dialog.user} teams={teams} onDone={onClose} />
      )}
      {dialog?.kind === 'reset' && <ResetPasswordForm user={dialog.user} onDone={onClose} />}
    </Modal>
  );
}

function CreateUserForm({
  teams,
  onDone,
}: {
  teams: { id: string; name: string }[];
  onDone(): void;
}) {
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [teamIds, setTeamIds] = useState<string[]>([]);
  const [password, setPassword] = useState(generatePassword);
  const { errors, formError, reset, fail } = useFieldErrors();
  const [create, { loading }] = useMutation(AdminCreateUserDocument, {
    refetchQueries: ['AdminUsers'],
  });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    reset();
    try {
      await create({ variables: { input: { name, email, role, teamIds, password } } });
      notifications.show({
        message: `${name} can sign in as ${email} with the password shown.`,
        color: 'teal',
      });
      onDone();
    } catch (err) {
      fail(err, 'The user was not created.');
    }
  };
  return (
    <Stack component="form" {...asForm(submit)}>
      {formError && <Alert color="red">{formError}</Alert>}
      <TextInput
        label="Name"
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={errors.name}
        data-autofocus
      />
      <TextInput
        label="E-mail"
        type="email"
        value={email}
        onChange={(e) => setEmail(e.currentTarget.value)}
        error={errors.email}
      />
      <Select
        label="Role"
        data={ROLES}
        value={role}
        onChange={(v) => v && setRole(v as Role)}
        error={errors.role}
        allowDeselect={false}
      />
      <TeamsSelect teams={teams} value={teamIds} onChange={setTeamIds} errors={errors} />
      <TextInput
        label="First password"
        description="Give it to the user; they change it after signing in."
        value={password}
        onChange={(e) => setPassword(e.currentTarget.value)}
        error={errors.password}
      />
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" loading={loading}>
          Create user
        </Button>
      </Group>
    </Stack>
  );
}

function EditUserForm({
  user,
  teams,
  onDone,
}: {
  user: AdminUserFragment;
  teams: { id: string; name: string }[];
  onDone(): void;
}) {
  const [name, setName] = useState(user.name);
  const [role, setRole] = useState<Role>(user.role);
  const [teamIds, setTeamIds] = useState<string[]>(user.teamIds);
  const { errors, formError, reset, fail } = useFieldErrors();
  const [update, { loading }] = useMutation(AdminUpdateUserDocument);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    reset();
    try {
      await update({ variables: { id: user.id, input: { name, role, teamIds } } });
      notifications.show({ message: `${name} saved.`, color: 'teal' });
      onDone();
    } catch (err) {
      fail(err);
    }
  };
  return (
    <Stack component="form" {...asForm(submit)}>
      {formError && <Alert color="red">{formError}</Alert>}
      <TextInput
        label="Name"
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        error={errors.name}
      />
      <Select
        label="Role"
        data={ROLES}
        value={role}
        onChange={(v) => v && setRole(v as Role)}
        error={errors.role}
        allowDeselect={false}
      />
      <TeamsSelect teams={teams} value={teamIds} onChange={setTeamIds} errors={errors} />
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" loading={loading}>
          Save
        </Button>
      </Group>
    </Stack>
  );
}

/**
 * The teams of a user: several may be picked; the first picked is the home team of a new user
 * (an existing user keeps theirs while it stays picked).
 */
function TeamsSelect({
  teams,
  value,
  onChange,
  errors,
}: {
  teams: { id: string; name: string }[];
  value: string[];
  onChange(ids: string[]): void;
  errors: Record<string, string>;
}) {
  const error = Object.entries(errors).find(([f]) => f === 'teamId' || f.startsWith('teamIds'));
  return (
    <MultiSelect
      label="Teams"
      description="Private teams' tickets, “my teams” views and automatic assignment follow these."
      placeholder={value.length ? undefined : 'No team'}
      data={teams.map((t) => ({ value: t.id, label: t.name }))}
      value={value}
      onChange={onChange}
      error={error?.[1]}
      searchable
      clearable
      comboboxProps={{ withinPortal: true }}
    />
  );
}

function ResetPasswordForm({ user, onDone }: { user: AdminUserFragment; onDone(): void }) {
  const [password, setPassword] = useState(generatePassword);
  const [saved, setSaved] = useState(false);
  const { errors, formError, reset, fail } = useFieldErrors();
  const [update, { loading }] = useMutation(AdminUpdateUserDocument);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    reset();
    try {
      await update({ variables: { id: user.id, input: { password } } });
      setSaved(true);
    } catch (err) {
      fail(err);
    }
  };
  if (saved)
    return (
      <Stack>
        <Alert color="teal" title="Password changed">
          {user.name}&apos;s sessions have ended and their sign-in locks are lifted. Give them this
          password over a channel you trust; it is not shown again.
        </Alert>
        <Group>
          <Code fz="lg" aria-label="New password">
            {password}
          </Code>
          <CopyButton value={password}>
            {({ copied, copy }) => (
              <Button variant="light" size="xs" onClick={copy}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
        </Group>
        <Group justify="flex-end">
          <Button onClick={onDone}>Done</Button>
        </Group>
      </Stack>
    );
  return (
    <Stack component="form" {...asForm(submit)}>
      <Text size="sm">
        Staydesk sets a new password for {user.email}: every session of the user ends at once and
        the sign-in locks are lifted. You pass the password on yourself; to let the user choose
        their own, use “Send reset link” instead.
      </Text>
      {formError && <Alert color="red">{formError}</Alert>}
      <PasswordInput
        label="New password"
        value={password}
        onChange={(e) => setPassword(e.currentTarget.value)}
        error={errors.password}
        visible
        onVisibilityChange={() => undefined}
      />
      <Group justify="flex-end">
        <Button variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button type="submit" color="red" loading={loading}>
          Set new password
        </Button>
      </Group>
    </Stack>
  );
}
