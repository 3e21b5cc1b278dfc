import { useMutation } from '@apollo/client/react';
import {
  Alert,
  Button,
  Code,
  CopyButton,
  Group,
  Modal,
  MultiSelect,
  PasswordInput,
  Select,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { FormActions } from '@/components/FormActions';
import {
  AdminCreateUserDocument,
  AdminUpdateUserDocument,
  type AdminUserFragment,
  type Role,
} from '@/gql/graphql';
import { AdminForm } from '../components/AdminForm';
import { generatePassword, useFieldErrors } from '../hooks/useFieldErrors';

export const ROLES: { value: Role; label: string }[] = [
  { value: 'agent', label: 'Agent' },
  { value: 'team_lead', label: 'Team lead' },
  { value: 'account_manager', label: 'Account manager' },
  { value: 'admin', label: 'Admin' },
];

/** Which of the users page's dialogs is open (add, edit role and teams, reset a password). */
export type Dialog =
  | { kind: 'create' }
  | { kind: 'edit'; user: AdminUserFragment }
  | { kind: 'reset'; user: AdminUserFragment }
  | null;

export function UserDialog({
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
  const { errors, formError, handleSubmit, textProps } = useFieldErrors();
  const [create, { loading }] = useMutation(AdminCreateUserDocument, {
    refetchQueries: ['AdminUsers'],
  });
  const submit = handleSubmit(async () => {
    await create({ variables: { input: { name, email, role, teamIds, password } } });
    notifications.show({
      message: `${name} can sign in as ${email} with the password shown.`,
      color: 'teal',
    });
    onDone();
  }, 'The user was not created.');
  return (
    <AdminForm onSubmit={submit} error={formError}>
      <TextInput label="Name" {...textProps('name', name, setName)} data-autofocus />
      <TextInput label="E-mail" type="email" {...textProps('email', email, setEmail)} />
      <RoleSelect value={role} onChange={setRole} error={errors.role} />
      <TeamsSelect teams={teams} value={teamIds} onChange={setTeamIds} errors={errors} />
      <TextInput
        label="First password"
        description="Give it to the user; they change it after signing in."
        {...textProps('password', password, setPassword)}
      />
      <FormActions onCancel={onDone} loading={loading}>
        Create user
      </FormActions>
    </AdminForm>
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
  const { errors, formError, handleSubmit, textProps } = useFieldErrors();
  const [update, { loading }] = useMutation(AdminUpdateUserDocument);
  const submit = handleSubmit(async () => {
    await update({ variables: { id: user.id, input: { name, role, teamIds } } });
    notifications.show({ message: `${name} saved.`, color: 'teal' });
    onDone();
  });
  return (
    <AdminForm onSubmit={submit} error={formError}>
      <TextInput label="Name" {...textProps('name', name, setName)} />
      <RoleSelect value={role} onChange={setRole} error={errors.role} />
      <TeamsSelect teams={teams} value={teamIds} onChange={setTeamIds} errors={errors} />
      <FormActions onCancel={onDone} loading={loading}>
        Save
      </FormActions>
    </AdminForm>
  );
}

/** The role of a user; one is always chosen. */
function RoleSelect({
  value,
  onChange,
  error,
}: {
  value: Role;
  onChange(role: Role): void;
  error?: string;
}) {
  return (
    <Select
      label="Role"
      data={ROLES}
      value={value}
      onChange={(v) => v && onChange(v as Role)}
      error={error}
      allowDeselect={false}
    />
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
  const { formError, handleSubmit, textProps } = useFieldErrors();
  const [update, { loading }] = useMutation(AdminUpdateUserDocument);
  const submit = handleSubmit(async () => {
    await update({ variables: { id: user.id, input: { password } } });
    setSaved(true);
  });
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
    <AdminForm
      onSubmit={submit}
      error={formError}
      intro={
        <Text size="sm">
          Staydesk sets a new password for {user.email}: every session of the user ends at once and
          the sign-in locks are lifted. You pass the password on yourself; to let the user choose
          their own, use “Send reset link” instead.
        </Text>
      }
    >
      <PasswordInput
        label="New password"
        {...textProps('password', password, setPassword)}
        visible
        onVisibilityChange={() => undefined}
      />
      <FormActions onCancel={onDone} loading={loading} color="red">
        Set new password
      </FormActions>
    </AdminForm>
  );
}
