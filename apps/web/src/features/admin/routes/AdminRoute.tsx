import { Button, Group, Stack, Text, Title } from '@mantine/core';
import { Link, Navigate, Route, Routes, useLocation } from 'react-router';
import { ProblemPage } from '@/components/ProblemPage';
import { useSession } from '@/app/session';
import { ImportPage } from './ImportPage';
import { MailboxesPage } from './MailboxesPage';
import { PrivacyPage } from './PrivacyPage';
import { SlaPage } from './SlaPage';
import { TeamsPage } from './TeamsPage';
import { UsersPage } from './UsersPage';
import { ValueSegmentsPage } from './ValueSegmentsPage';

const SECTIONS = [
  { path: 'users', label: 'Users' },
  { path: 'teams', label: 'Teams' },
  { path: 'sla', label: 'SLA policies' },
  { path: 'mailboxes', label: 'Mailboxes' },
  { path: 'import', label: 'Import' },
  { path: 'privacy', label: 'Privacy' },
  { path: 'value-segments', label: 'Value segments' },
] as const;

/** /admin/*: the admins' settings, one section per page; everyone else gets FORBIDDEN. */
export function AdminRoute() {
  const { user } = useSession();
  const location = useLocation();
  if (user?.role !== 'admin') return <ProblemPage code="FORBIDDEN" />;
  const current = location.pathname.split('/')[2] ?? '';
  return (
    <Stack p={{ base: 'sm', sm: 'lg' }} gap="md">
      <div>
        <Title order={1} size="h2">
          Admin
        </Title>
        <Text c="dimmed" size="sm">
          People, teams, service levels, mail, data import, privacy requests and value segments.
        </Text>
      </div>
      <Group component="nav" aria-label="Admin sections" gap={4} wrap="wrap">
        {SECTIONS.map((s) => (
          <Button
            key={s.path}
            component={Link}
            to={`/admin/${s.path}`}
            variant={current === s.path ? 'light' : 'subtle'}
            color={current === s.path ? undefined : 'gray'}
            aria-current={current === s.path ? 'page' : undefined}
            size="sm"
          >
            {s.label}
          </Button>
        ))}
      </Group>
      <Routes>
        <Route index element={<Navigate to="users" replace />} />
        <Route path="users" element={<UsersPage />} />
        <Route path="teams" element={<TeamsPage />} />
        <Route path="sla" element={<SlaPage />} />
        <Route path="mailboxes" element={<MailboxesPage />} />
        <Route path="import" element={<ImportPage />} />
        <Route path="privacy" element={<PrivacyPage />} />
        <Route path="value-segments" element={<ValueSegmentsPage />} />
        <Route path="*" element={<ProblemPage code="NOT_FOUND" />} />
      </Routes>
    </Stack>
  );
}
