import { useMutation, useQuery } from '@apollo/client/react';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Group,
  Paper,
  Progress,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { useEffect, useState } from 'react';
import {
  AdminImportRunDocument,
  AdminImportRunsDocument,
  AdminStartImportDocument,
  type StartImportInput,
} from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { formatDateTime, humanize } from '@/lib/format';
import { rejectsUrl } from '../api/upload';

/** Link text with AA contrast in both schemes (the theme's darker indigo). */
const LINK = 'var(--mantine-color-indigo-text)';

const FINAL = new Set(['completed', 'failed']);

export function RunPanel({
  runId,
  input,
  onBack,
  onStart,
  onRestart,
}: {
  runId: string;
  input?: StartImportInput | null;
  onBack?(): void;
  onStart?(runId: string): void;
  onRestart?(): void;
}) {
  const [done, setDone] = useState(false);
  const { data, error } = useQuery(AdminImportRunDocument, {
    variables: { id: runId },
    pollInterval: done ? 0 : 700,
    fetchPolicy: 'network-only',
  });
  const run = data?.importRun;
  useEffect(() => {
    if (run && FINAL.has(run.status)) setDone(true);
  }, [run]);
  const [start, { loading }] = useMutation(AdminStartImportDocument, {
    refetchQueries: ['AdminImportRuns'],
  });
  const [startError, setStartError] = useState<string | null>(null);
  if (error) return <Alert color="red">{apiProblem(error)?.message}</Alert>;
  if (!run) return null;
  const finished = FINAL.has(run.status);
  const entities = Object.entries(run.entities as Record<string, number>).filter(([, n]) => n > 0);
  return (
    <Paper withBorder radius="md" p="lg">
      <Stack>
        <Group justify="space-between">
          <Title order={2} size="h4">
            {run.dryRun ? 'Dry run' : 'Import'} of {run.fileName.split('/').pop()}
          </Title>
          <Badge
            variant="light"
            color={run.status === 'failed' ? 'red' : run.status === 'completed' ? 'teal' : 'blue'}
          >
            {humanize(run.status)}
            {run.status === 'running' ? ` · ${run.phase}` : ''}
          </Badge>
        </Group>
        <Progress
          value={run.percent}
          size="lg"
          aria-label={`${run.dryRun ? 'Dry run' : 'Import'} progress`}
          animated={!finished}
          color={run.status === 'failed' ? 'red' : undefined}
        />
        <Text size="sm" aria-live="polite">
          {run.percent.toFixed(0)} % · {run.rowsRead} rows read · {run.created} created ·{' '}
          {run.updated} updated · {run.skipped} skipped · {run.rejected} rejected
        </Text>
        {run.error && <Alert color="red">{run.error}</Alert>}
        {finished && entities.length > 0 && (
          <Text size="sm" c="dimmed">
            {run.dryRun ? 'Would touch: ' : 'Touched: '}
            {entities.map(([k, n]) => `${n} ${humanize(k).toLowerCase()}`).join(', ')}
          </Text>
        )}
        {finished && run.rejected > 0 && (
          <Stack gap={4}>
            <Text size="sm" fw={600}>
              Rejected rows
            </Text>
            {run.rejects.map((r) => (
              <Text size="sm" key={r.line}>
                Line {r.line}: {r.reason}
              </Text>
            ))}
            <Anchor href={rejectsUrl(run.id)} download size="sm" c={LINK}>
              Download the rejected rows (CSV)
            </Anchor>
          </Stack>
        )}
        {startError && <Alert color="red">{startError}</Alert>}
        <Group justify="space-between">
          {onBack && (
            <Button variant="default" onClick={onBack}>
              Back to the mapping
            </Button>
          )}
          {onRestart && finished && (
            <Button variant="default" onClick={onRestart}>
              Import another file
            </Button>
          )}
          {onStart && (
            <Button
              disabled={!finished || run.status === 'failed'}
              loading={loading}
              onClick={async () => {
                if (!input) return;
                setStartError(null);
                try {
                  const r = await start({ variables: { input: { ...input, dryRun: false } } });
                  onStart(r.data!.startImport.id);
                } catch (err) {
                  setStartError(apiProblem(err)?.message ?? 'The import could not start.');
                }
              }}
            >
              Start import
            </Button>
          )}
        </Group>
      </Stack>
    </Paper>
  );
}

export function RecentRuns() {
  const { data } = useQuery(AdminImportRunsDocument, { fetchPolicy: 'cache-and-network' });
  const runs = data?.importRuns ?? [];
  if (!runs.length) return null;
  return (
    <Paper withBorder radius="md" p="lg">
      <Title order={2} size="h4" mb="sm">
        Recent imports
      </Title>
      <Table.ScrollContainer minWidth={640}>
        <Table verticalSpacing={6} fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>File</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Started</Table.Th>
              <Table.Th>Status</Table.Th>
              <Table.Th>Rows</Table.Th>
              <Table.Th>Rejected</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {runs.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>
                  {r.fileName.split('/').pop()}
                  {r.dryRun ? ' (dry run)' : ''}
                </Table.Td>
                <Table.Td>{humanize(r.kind)}</Table.Td>
                <Table.Td>{formatDateTime(r.createdAt)}</Table.Td>
                <Table.Td>{humanize(r.status)}</Table.Td>
                <Table.Td>{r.rowsRead}</Table.Td>
                <Table.Td>
                  {r.rejected > 0 ? (
                    <Anchor href={rejectsUrl(r.id)} download c={LINK}>
                      {r.rejected} (CSV)
                    </Anchor>
                  ) : (
                    0
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}
