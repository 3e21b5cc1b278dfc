import { useQuery } from '@apollo/client/react';
import { Alert, Badge, Drawer, Stack, Table, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { AdminTeamsDocument, type AdminTeamFragment } from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { AdminTable, PageIntro, RowButton } from '../components/AdminTable';
import { TeamForm, SenderForm } from './TeamForms';
import { DAYS } from './team-hours';

function summary(t: AdminTeamFragment): string {
  if (!t.businessHours) return 'Around the clock';
  const open = DAYS.filter(([d]) => (t.businessHours as Record<string, unknown>)[d]);
  return `${open.length} days a week · ${t.timezone}`;
}

/** Teams: privacy, the business-hours calendar with holidays, and the sender of replies. */
export function TeamsPage() {
  const { data, error } = useQuery(AdminTeamsDocument);
  const [editing, setEditing] = useState<AdminTeamFragment | 'new' | null>(null);
  useEffect(() => {
    document.title = 'Teams · Admin · Staydesk';
  }, []);
  const leads = (data?.users.edges ?? [])
    .map((e) => e.node)
    .filter((u) => u.role === 'team_lead' || u.role === 'admin');
  return (
    <Stack gap="md">
      <PageIntro action="New team" onAction={() => setEditing('new')}>
        A private team&apos;s internal notes are seen by its members and admins only. SLA policies
        that count business hours use the team&apos;s calendar and skip its holidays.
      </PageIntro>
      {error && <Alert color="red">{apiProblem(error)?.message}</Alert>}
      <AdminTable
        columns={['Team', 'Visibility', 'Business hours', 'Holidays', 'Replies sent as']}
        minWidth={720}
      >
        {(data?.teams ?? []).map((t) => (
          <Table.Tr key={t.id}>
            <Table.Td fw={500}>{t.name}</Table.Td>
            <Table.Td>
              <Badge variant="light" color={t.isPrivate ? 'grape' : 'gray'}>
                {t.isPrivate ? 'Private' : 'Open'}
              </Badge>
            </Table.Td>
            <Table.Td>{summary(t)}</Table.Td>
            <Table.Td>{t.holidays.length || '–'}</Table.Td>
            <Table.Td>
              {t.mailSender.fromAddress ? (
                `${t.mailSender.fromName ?? ''} <${t.mailSender.fromAddress}>`
              ) : (
                <Text c="dimmed" size="sm">
                  Default sender
                </Text>
              )}
            </Table.Td>
            <Table.Td ta="right">
              <RowButton verb="Edit" name={t.name} onClick={() => setEditing(t)} />
            </Table.Td>
          </Table.Tr>
        ))}
      </AdminTable>
      <Drawer
        opened={!!editing}
        onClose={() => setEditing(null)}
        position="right"
        size="lg"
        closeButtonProps={{ 'aria-label': 'Close' }}
        title={editing === 'new' ? 'New team' : `Edit ${editing?.name ?? ''}`}
      >
        {editing && (
          <Stack gap="xl">
            <TeamForm
              team={editing === 'new' ? null : editing}
              leads={leads}
              onDone={() => setEditing(null)}
            />
            {editing !== 'new' && <SenderForm team={editing} />}
          </Stack>
        )}
      </Drawer>
    </Stack>
  );
}
