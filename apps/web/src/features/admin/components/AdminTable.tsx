import { Button, Group, Paper, Table, Text, VisuallyHidden } from '@mantine/core';
import type { ReactNode } from 'react';

/** What an admin page is about, with its main action ("Add mailbox") beside it. */
export function PageIntro({
  action,
  onAction,
  children,
}: {
  action: string;
  onAction(): void;
  children: ReactNode;
}) {
  return (
    <Group justify="space-between">
      <Text c="dimmed" size="sm" maw={640}>
        {children}
      </Text>
      <Button onClick={onAction}>{action}</Button>
    </Group>
  );
}

/** The last cell of a row: its action buttons, at the end of the line. */
export function RowActions({ children }: { children: ReactNode }) {
  return (
    <Table.Td ta="right">
      <Group gap="xs" justify="flex-end" wrap="nowrap">
        {children}
      </Group>
    </Table.Td>
  );
}

/**
 * A button of a row's actions: its text the verb ("Edit"), its accessible name the verb and the
 * row ("Edit Tier 1"); `danger` for the red one that removes or retires.
 */
export function RowButton({
  verb,
  name,
  onClick,
  danger,
  loading,
}: {
  verb: string;
  name: string;
  onClick(): void;
  danger?: boolean;
  loading?: boolean;
}) {
  return (
    <Button
      size="xs"
      variant={danger ? 'subtle' : 'default'}
      color={danger ? 'red' : undefined}
      loading={loading}
      onClick={onClick}
      aria-label={`${verb} ${name}`}
    >
      {verb}
    </Button>
  );
}

/** A row across the whole table saying why it has no rows. */
export function EmptyRow({ colSpan, children }: { colSpan: number; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Td colSpan={colSpan}>
        <Text c="dimmed" ta="center" py="md">
          {children}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}

/**
 * The list of an admin page: a table that scrolls sideways on narrow screens, its last column
 * the row's actions (named for screen readers); `empty`, when given, is shown as its only row.
 */
export function AdminTable({
  columns,
  minWidth,
  highlightOnHover,
  empty,
  children,
}: {
  columns: string[];
  minWidth: number;
  highlightOnHover?: boolean;
  empty?: ReactNode;
  children: ReactNode;
}) {
  return (
    <Paper withBorder radius="md">
      <Table.ScrollContainer minWidth={minWidth}>
        <Table verticalSpacing="sm" highlightOnHover={highlightOnHover}>
          <Table.Thead>
            <Table.Tr>
              {columns.map((c) => (
                <Table.Th key={c}>{c}</Table.Th>
              ))}
              <Table.Th>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {children}
            {empty && <EmptyRow colSpan={columns.length + 1}>{empty}</EmptyRow>}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
    </Paper>
  );
}
