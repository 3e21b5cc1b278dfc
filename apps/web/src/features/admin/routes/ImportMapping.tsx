import { useMutation, useQuery } from '@apollo/client/react';
import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useMemo, useState } from 'react';
import {
  AdminImportPreviewDocument,
  AdminStartImportDocument,
  type AdminImportPreviewQuery,
  type ImportKind,
  type StartImportInput,
} from '@/gql/graphql';
import { humanize } from '@/lib/format';
import { type UploadedFile } from '../api/upload';
import { useFieldErrors } from '../hooks/useFieldErrors';

const NONE = '__none';
type Preview = AdminImportPreviewQuery['importPreview'];

export function MappingStep({
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
  const { errors, formError, handleSubmit, textProps } = useFieldErrors({ map: 'columns' });
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

  const dryRun = handleSubmit(async () => {
    const input: StartImportInput = {
      kind,
      path: file.path,
      fileName: file.fileName,
      mapping: options,
      source: source.trim() || null,
      timeFormat: timeFormat.trim() || null,
      timeZone: timeZone.trim() || null,
    };
    const r = await start({ variables: { input: { ...input, dryRun: true } } });
    onDryRun(r.data!.startImport.id, input);
  }, 'The dry run could not start.');

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
              {...textProps('source', source, setSource)}
            />
            <TextInput
              label="Time format"
              description="Empty for ISO 8601, or e.g. yyyy/MM/dd HH:mm"
              {...textProps('timeFormat', timeFormat, setTimeFormat)}
            />
            <TextInput
              label="Time zone"
              description="For times without an offset"
              {...textProps('timeZone', timeZone, setTimeZone)}
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
