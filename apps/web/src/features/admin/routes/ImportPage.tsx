import { useMutation, useQuery } from '@apollo/client/react';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Checkbox,
  FileInput,
  Group,
  Paper,
  Progress,
  Select,
  SimpleGrid,
  Stack,
  Stepper,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import {
  AdminImportPreviewDocument,
  AdminImportRunDocument,
  AdminImportRunsDocument,
  AdminStartImportDocument,
  type AdminImportPreviewQuery,
  type ImportKind,
  type StartImportInput,
} from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { formatDateTime, humanize } from '@/lib/format';
import { rejectsUrl, uploadImportFile, type UploadedFile } from '../api/upload';
import { useFieldErrors } from '../hooks/useFieldErrors';

const KINDS: { value: ImportKind; label: string }[] = [
  { value: 'customers', label: 'Customers (one row per customer)' },
  { value: 'tickets', label: 'Tickets (one row per ticket)' },
  { value: 'events', label: 'Event log (one row per ticket event)' },
];
const NONE = '__none';
/** Link text with AA contrast in both schemes (the theme's darker indigo). */
const LINK = 'var(--mantine-color-indigo-text)';
type Preview = AdminImportPreviewQuery['importPreview'];

/**
 * History import in the browser: upload a CSV, see its first rows, map columns (and an event
 * log's activities) from the proposals, dry-run, import, follow the progress, get the rejects.
 */
export function ImportPage() {
  const [kind, setKind] = useState<ImportKind>('tickets');
  const [file, setFile] = useState<File | null>(null);
  const [uploaded, setUploaded] = useState<UploadedFile | null>(null);
  const [uploading, setUploading] = useState(false);
  const [uploadError, setUploadError] = useState<string | null>(null);
  const [dryRunId, setDryRunId] = useState<string | null>(null);
  const [input, setInput] = useState<StartImportInput | null>(null);
  const [runId, setRunId] = useState<string | null>(null);
  useEffect(() => {
    document.title = 'Import · Admin · Staydesk';
  }, []);
  const preview = useQuery(AdminImportPreviewDocument, {
    variables: { path: uploaded?.path ?? '', kind },
    skip: !uploaded,
    fetchPolicy: 'network-only',
  });
  const step = runId ? 3 : dryRunId ? 2 : uploaded && preview.data ? 1 : 0;

  const upload = async () => {
    if (!file) {
      setUploadError('Choose a CSV file first.');
      return;
    }
    setUploading(true);
    setUploadError(null);
    try {
      setUploaded(await uploadImportFile(file));
    } catch (err) {
      setUploadError((err as Error).message);
    } finally {
      setUploading(false);
    }
  };
  const restart = () => {
    setUploaded(null);
    setFile(null);
    setDryRunId(null);
    setRunId(null);
  };

  return (
    <Stack gap="lg">
      <Stepper active={step} size="sm" allowNextStepsSelect={false}>
        <Stepper.Step label="Upload" description="A CSV file" />
        <Stepper.Step label="Map" description="Columns and activities" />
        <Stepper.Step label="Dry run" description="Check what changes" />
        <Stepper.Step label="Import" description="Progress and rejects" />
      </Stepper>
      {step === 0 && (
        <Paper withBorder radius="md" p="lg">
          <Stack maw={560}>
            <Select
              label="What the file holds"
              data={KINDS}
              value={kind}
              onChange={(v) => v && setKind(v as ImportKind)}
              allowDeselect={false}
            />
            <FileInput
              label="CSV file"
              description="UTF-8 text with a header row; .csv, .tsv or .txt"
              placeholder="Choose a file"
              accept=".csv,.tsv,.txt,text/csv,text/plain"
              value={file}
              onChange={(f) => {
                setFile(f);
                setUploadError(null);
              }}
              error={uploadError}
              clearable
            />
            {preview.error && <Alert color="red">{apiProblem(preview.error)?.message}</Alert>}
            <Group>
              <Button onClick={() => void upload()} loading={uploading || preview.loading}>
                Upload and preview
              </Button>
            </Group>
          </Stack>
        </Paper>
      )}
      {step === 1 && preview.data && uploaded && (
        <MappingStep
          preview={preview.data.importPreview}
          kind={kind}
          file={uploaded}
          onCancel={restart}
          onDryRun={(id, given) => {
            setInput(given);
            setDryRunId(id);
          }}
        />
      )}
      {step === 2 && dryRunId && (
        <RunPanel
          runId={dryRunId}
          input={input}
          onBack={() => setDryRunId(null)}
          onStart={(id) => setRunId(id)}
        />
      )}
      {step === 3 && runId && <RunPanel runId={runId} onRestart={restart} />}
      <RecentRuns />
    </Stack>
  );
}

function MappingStep({
  preview,
  kind,
  file,
  onCancel,
  onDryRun,
}: {
  preview: Preview;
  kind: ImportKind;
  file: UploadedFile;
  onCancel(): void;
  onDryRun(runId: string, input: StartImportInput): void;
}) {
  const [columns, setColumns] = useState<Record<string, string>>(() =>
    Object.fromEntries(preview.columns.map((c) => [c.field, c.column ?? NONE])),
  );
  // effects the admin chose; the rest follow the proposal
  const [chosen, setChosen] = useState<Record<string, string | null>>({});
  const [keepExtras, setKeepExtras] = useState(true);
  const [source, setSource] = useState('csv');
  const [timeFormat, setTimeFormat] = useState('');
  const [timeZone, setTimeZone] = useState('UTC');
  const { errors, formError, reset, fail } = useFieldErrors({ map: 'columns' });
  const [start, { loading }] = useMutation(AdminStartImportDocument);
  const columnOptions = [
    { value: NONE, label: '(not imported)' },
    ...preview.header.map((h) => ({ value: h, label: h })),
  ];
  // another activity column than the proposed one: read its names
  const activityColumn = columns.activity ?? NONE;
  const other = useQuery(AdminImportPreviewDocument, {
    variables: { path: file.path, kind, activityColumn },
    skip: kind !== 'events' || activityColumn === NONE || activityColumn === preview.activityColumn,
  });
  const found =
    kind !== 'events' || activityColumn === NONE
      ? []
      : activityColumn === preview.activityColumn
        ? preview.activities
        : (other.data?.importPreview.activities ?? []);
  const activities: Record<string, string | null> = Object.fromEntries(
    found.map((a) => [a.name, a.name in chosen ? chosen[a.name] : a.suggestion]),
  );
  const unmappedActivities = Object.values(activities).filter((v) => !v).length;

  const options = useMemo(() => {
    const chosen = Object.fromEntries(Object.entries(columns).filter(([, c]) => c !== NONE));
    // a column the importer would take by its name for a field left unmapped: ignore it by position
    const ignore = preview.columns
      .filter((c) => c.score === 1 && c.column && columns[c.field] === NONE)
      .map((c) => `#${preview.header.indexOf(c.column!) + 1}`);
    const acts = Object.fromEntries(
      found
        .map((a) => [a.name, a.name in chosen ? chosen[a.name] : a.suggestion] as const)
        .filter((e): e is readonly [string, string] => !!e[1]),
    );
    return {
      columns: chosen,
      ignore,
      skipUnmapped: !keepExtras,
      ...(kind === 'events' ? { activities: acts } : {}),
    };
  }, [columns, chosen, found, keepExtras, kind, preview]);

  const dryRun = async () => {
    reset();
    const input: StartImportInput = {
      kind,
      path: file.path,
      fileName: file.fileName,
      mapping: options,
      source: source.trim() || null,
      timeFormat: timeFormat.trim() || null,
      timeZone: timeZone.trim() || null,
    };
    try {
      const r = await start({ variables: { input: { ...input, dryRun: true } } });
      onDryRun(r.data!.startImport.id, input);
    } catch (err) {
      fail(err, 'The dry run could not start.');
    }
  };

  return (
    <Stack gap="lg">
      <Paper withBorder radius="md" p="lg">
        <Stack gap="xs">
          <Group justify="space-between">
            <Title order={2} size="h4">
              {file.fileName}
            </Title>
            <Text size="sm" c="dimmed">
              {(file.size / 1024).toFixed(1)} KB · first {preview.rows.length} rows
            </Text>
          </Group>
          <Table.ScrollContainer minWidth={600}>
            <Table striped withTableBorder fz="sm" aria-label="First rows of the file">
              <Table.Thead>
                <Table.Tr>
                  {preview.header.map((h, i) => (
                    <Table.Th key={i}>{h}</Table.Th>
                  ))}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {preview.rows.map((r, i) => (
                  <Table.Tr key={i}>
                    {preview.header.map((_, j) => (
                      <Table.Td key={j} style={{ whiteSpace: 'nowrap' }}>
                        {r[j] ?? ''}
                      </Table.Td>
                    ))}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        </Stack>
      </Paper>
      <Paper withBorder radius="md" p="lg">
        <Stack>
          <Title order={2} size="h4">
            Columns
          </Title>
          {formError && <Alert color="red">{formError}</Alert>}
          {errors.columns && (
            <Alert color="red" title="The mapping does not fit the file">
              {errors.columns}
            </Alert>
          )}
          <SimpleGrid cols={{ base: 1, md: 2 }} spacing="md" verticalSpacing="sm">
            {preview.columns.map((c) => (
              <Select
                key={c.field}
                label={
                  <>
                    {humanize(c.field)}
                    {c.required && (
                      <Badge ml={6} size="xs" variant="light" color="orange">
                        required
                      </Badge>
                    )}
                  </>
                }
                description={
                  c.column && columns[c.field] === c.column && c.score < 1
                    ? `${c.description} · proposed by name likeness`
                    : c.description
                }
                data={columnOptions}
                value={columns[c.field]}
                onChange={(v) => setColumns((m) => ({ ...m, [c.field]: v ?? NONE }))}
                allowDeselect={false}
                searchable
                aria-label={`Column for ${humanize(c.field)}`}
              />
            ))}
          </SimpleGrid>
          <Checkbox
            label="Keep the other columns as custom fields"
            checked={keepExtras}
            onChange={(e) => setKeepExtras(e.currentTarget.checked)}
          />
          <SimpleGrid cols={{ base: 1, sm: 3 }}>
            <TextInput
              label="Source system"
              description="External ids are unique per source"
              value={source}
              onChange={(e) => setSource(e.currentTarget.value)}
              error={errors.source}
            />
            <TextInput
              label="Time format"
              description="Empty for ISO 8601, or e.g. yyyy/MM/dd HH:mm"
              value={timeFormat}
              onChange={(e) => setTimeFormat(e.currentTarget.value)}
              error={errors.timeFormat}
            />
            <TextInput
              label="Time zone"
              description="For times without an offset"
              value={timeZone}
              onChange={(e) => setTimeZone(e.currentTarget.value)}
              error={errors.timeZone}
            />
          </SimpleGrid>
        </Stack>
      </Paper>
      {kind === 'events' && (
        <Paper withBorder radius="md" p="lg">
          <Stack>
            <Title order={2} size="h4">
              Activities
            </Title>
            <Text size="sm" c="dimmed">
              What each activity of the log does to its ticket
              {activityColumn !== NONE ? ` (read from “${activityColumn}”)` : ''}.
              {unmappedActivities > 0 &&
                ` ${unmappedActivities} without an effect: their rows will be rejected.`}
              {activityColumn === NONE && ' Choose the activity column above first.'}
              {!preview.activitiesComplete && ' Only the start of a long file was scanned.'}
            </Text>
            {errors.activities && <Alert color="red">{errors.activities}</Alert>}
            <Table verticalSpacing={6} aria-label="Activities">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Activity</Table.Th>
                  <Table.Th>Rows</Table.Th>
                  <Table.Th>Effect</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {found.map((a) => (
                  <Table.Tr key={a.name}>
                    <Table.Td>{a.name}</Table.Td>
                    <Table.Td>{a.rows}</Table.Td>
                    <Table.Td>
                      <Select
                        aria-label={`Effect of ${a.name}`}
                        placeholder="Choose an effect"
                        data={preview.effects.map((e) => ({ value: e, label: humanize(e) }))}
                        value={activities[a.name] ?? null}
                        onChange={(v) => setChosen((m) => ({ ...m, [a.name]: v }))}
                        clearable
                        w={220}
                        size="sm"
                      />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Stack>
        </Paper>
      )}
      <Group justify="space-between">
        <Button variant="default" onClick={onCancel}>
          Choose another file
        </Button>
        <Button onClick={() => void dryRun()} loading={loading}>
          Dry run
        </Button>
      </Group>
    </Stack>
  );
}

const FINAL = new Set(['completed', 'failed']);

function RunPanel({
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

function RecentRuns() {
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
