import { useMutation, useQuery } from '@apollo/client/react';
import {
  Alert,
  Button,
  Checkbox,
  Group,
  NumberInput,
  Paper,
  SegmentedControl,
  Stack,
  Table,
  Text,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState, type FormEvent } from 'react';
import {
  AdminSetValueSegmentSchemeDocument,
  AdminValueSegmentsDocument,
  type ValueSegmentScheme,
} from '@/gql/graphql';
import { apiProblem, fieldMessage } from '@/lib/errors';
import { formatCount, formatDateTime, formatMoney, humanize } from '@/lib/format';
import { AdminForm } from '../components/AdminForm';
import { EmptyRow } from '../components/AdminTable';
import { GroupError } from '../components/GroupError';
import { bandRows, bandsOf, errorRow, type BandRow } from '../hooks/valueBands';

/** Value segments: quartiles (default) or bands an admin sets; the last computation beside. */
export function ValueSegmentsPage() {
  const { data, error } = useQuery(AdminValueSegmentsDocument);
  useEffect(() => {
    document.title = 'Value segments · Admin · Staydesk';
  }, []);
  return (
    <Stack gap="md">
      <Text c="dimmed" size="sm" maw={720}>
        Customers are placed by lifetime value to date; an active customer with less than 6 months
        of history by its MRR × 6 when that is higher. Segments are quarters of the active customers
        unless you set bands. A change is recomputed by the worker within a minute or so.
      </Text>
      {error && <Alert color="red">{apiProblem(error)?.message}</Alert>}
      {data && (
        <SchemeForm
          key={data.valueSegmentScheme.setAt ?? 'quartiles'}
          scheme={data.valueSegmentScheme.scheme}
          saved={data.valueSegmentScheme.bands}
        />
      )}
      <Title order={2} size="h4">
        Last computation
      </Title>
      <Paper withBorder radius="md">
        <Table verticalSpacing="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Segment</Table.Th>
              <Table.Th>Lower bound</Table.Th>
              <Table.Th>Active customers</Table.Th>
              <Table.Th>Scheme</Table.Th>
              <Table.Th>Computed</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {(data?.valueSegments ?? []).map((s) => (
              <Table.Tr key={s.segment}>
                <Table.Td fw={500}>{humanize(s.segment)}</Table.Td>
                <Table.Td>{formatMoney(s.minToDate)}</Table.Td>
                <Table.Td>{formatCount(s.activeCustomers)}</Table.Td>
                <Table.Td>{humanize(s.scheme)}</Table.Td>
                <Table.Td>{formatDateTime(s.computedAt)}</Table.Td>
              </Table.Tr>
            ))}
            {data && data.valueSegments.length === 0 && (
              <EmptyRow colSpan={5}>Not computed yet.</EmptyRow>
            )}
          </Table.Tbody>
        </Table>
      </Paper>
    </Stack>
  );
}

function SchemeForm({
  scheme: savedScheme,
  saved,
}: {
  scheme: ValueSegmentScheme;
  saved: { segment: BandRow['segment']; minValue: number }[];
}) {
  const [scheme, setScheme] = useState<ValueSegmentScheme>(savedScheme);
  const [rows, setRows] = useState<BandRow[]>(() => bandRows(saved));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [save, { loading }] = useMutation(AdminSetValueSegmentSchemeDocument, {
    refetchQueries: ['AdminValueSegments'],
  });
  const edit = (i: number, change: Partial<BandRow>) =>
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...change } : r)));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setFormError(null);
    const empty = rows.find((r) => r.used && r.minValue === '');
    if (scheme === 'bands' && empty) {
      setErrors({ [empty.segment]: 'Give a lower bound' });
      return;
    }
    try {
      await save({
        variables: { scheme, bands: scheme === 'bands' ? bandsOf(rows) : null },
      });
      notifications.show({
        message: 'Value segments saved; the worker recomputes them now.',
        color: 'teal',
      });
    } catch (err) {
      const p = apiProblem(err);
      if (p?.code === 'BAD_USER_INPUT' && p.field)
        setErrors({ [errorRow(p.field, rows)]: fieldMessage(p) });
      else setFormError(p?.message ?? 'The segments were not saved.');
    }
  };
  return (
    <Paper withBorder radius="md" p="md">
      <AdminForm onSubmit={submit} error={formError} label="Value segment scheme" gap="sm">
        <SegmentedControl
          aria-label="Scheme"
          value={scheme}
          onChange={(v) => setScheme(v as ValueSegmentScheme)}
          data={[
            { value: 'quartiles', label: 'Quartiles' },
            { value: 'bands', label: 'Bands' },
          ]}
          w="fit-content"
        />
        {scheme === 'bands' && (
          <>
            <Text size="sm" c="dimmed">
              Two to four bands, lower bounds ascending from Low to Top. A customer is in the
              highest band whose lower bound it reaches.
            </Text>
            {rows.map((r, i) => (
              <Group key={r.segment} align="flex-start" gap="md">
                <Checkbox
                  label={humanize(r.segment)}
                  checked={r.used}
                  onChange={(e) => edit(i, { used: e.currentTarget.checked })}
                  w={90}
                  mt={8}
                />
                <NumberInput
                  aria-label={`${humanize(r.segment)} lower bound`}
                  value={r.minValue}
                  onChange={(v) => edit(i, { minValue: v })}
                  disabled={!r.used}
                  min={0}
                  decimalScale={2}
                  thousandSeparator=","
                  error={errors[r.segment]}
                  w={200}
                />
              </Group>
            ))}
            <GroupError error={errors.bands} />
          </>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={loading}>
            Save segments
          </Button>
        </Group>
      </AdminForm>
    </Paper>
  );
}
