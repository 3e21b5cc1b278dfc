import {
  Alert,
  Button,
  Drawer,
  Group,
  SegmentedControl,
  Skeleton,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import type { ReactNode } from 'react';
import { DRILL_PAGE, type DrillList, type DrillListTarget } from '@/lib/drill-list';

/**
 * The drawer of a drill-down: the figure as title, its scope, a picker of its lists (when it
 * has several), the count, the table of rows (`head` and `children`), and "Load more".
 */
export function ListDrawer<O extends { label: string }, E>({
  target,
  onClose,
  list,
  pickerLabel,
  count,
  tableLabel,
  head,
  empty,
  children,
}: {
  target: DrillListTarget<O> | null;
  onClose(): void;
  list: DrillList<O, E>;
  /** the accessible name of the picker of lists ("Which tickets") */
  pickerLabel: string;
  /** "12 tickets", "Counting…" */
  count: string;
  /** the accessible name of the table */
  tableLabel: string;
  /** the header cells */
  head: ReactNode;
  /** said when the list is empty */
  empty: string;
  /** the rows */
  children: ReactNode;
}) {
  const { choice, setChoice, option, edges, next, loading, problem, loadMore } = list;
  return (
    <Drawer
      opened={!!target}
      onClose={onClose}
      position="right"
      size="xl"
      title={target?.figure}
      styles={{ title: { fontWeight: 700, fontSize: 'var(--mantine-font-size-lg)' } }}
      closeButtonProps={{ 'aria-label': 'Close the list' }}
    >
      {target && (
        <Stack gap="md">
          <Text size="sm" c="dimmed">
            {target.scope}
          </Text>
          <Group justify="space-between" align="center">
            {target.options.length > 1 ? (
              <SegmentedControl
                aria-label={pickerLabel}
                value={String(choice)}
                onChange={(v) => setChoice(Number(v))}
                data={target.options.map((o, i) => ({ value: String(i), label: o.label }))}
              />
            ) : (
              <Text size="sm" fw={600}>
                {option?.label}
              </Text>
            )}
            <Text size="sm" c="dimmed" aria-live="polite" data-testid="drill-count">
              {count}
            </Text>
          </Group>
          {problem && (
            <Alert color="red" title="The list could not be loaded">
              {problem.message}
            </Alert>
          )}
          <Table.ScrollContainer minWidth={560}>
            <Table highlightOnHover verticalSpacing="xs" aria-label={tableLabel}>
              <Table.Thead>
                <Table.Tr>{head}</Table.Tr>
              </Table.Thead>
              <Table.Tbody>{children}</Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {loading && edges.length === 0 && (
            <Stack gap={6} aria-hidden>
              <Skeleton h={28} />
              <Skeleton h={28} />
              <Skeleton h={28} />
            </Stack>
          )}
          {!loading && !problem && edges.length === 0 && (
            <Text c="dimmed" ta="center" py="lg">
              {empty}
            </Text>
          )}
          {next && (
            <Group justify="center">
              <Button variant="default" loading={loading} onClick={loadMore}>
                Load {DRILL_PAGE} more
              </Button>
            </Group>
          )}
        </Stack>
      )}
    </Drawer>
  );
}
