import {
  Button,
  Group,
  Paper,
  Select,
  Stack,
  Table,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useMemo, useState } from 'react';
import type { KpiFilter, KpiTableQuery } from '@/gql/graphql';
import { humanize } from '@/lib/format';
import { formatMeasure } from '@/lib/measures';
import {
  FIGURES,
  GROUPS,
  type DrillOption,
  type Figure,
  type GroupChoice,
  type GroupKey,
} from '../lib/figures';
import type { DrillTarget } from './DrillDrawer';

type Row = KpiTableQuery['supportKpis']['rows'][number];

interface Column {
  key: string;
  label: string;
  value(r: Row): number | null;
  format(v: number | null): string;
  drill: DrillOption[];
  figure: string;
}

const fromFigure = (key: string, label: string): Column => {
  const f = FIGURES.find((x) => x.key === key) as Figure;
  return {
    key,
    label,
    value: (r) => f.value(r, null),
    format: (v) => formatMeasure(f.unit, v),
    drill: f.drill ?? [],
    figure: f.label,
  };
};

const COLUMNS: Column[] = [
  {
    key: 'created',
    label: 'Created',
    value: (r) => r.ticketsCreated,
    format: (v) => formatMeasure('count', v),
    drill: [{ metric: 'tickets_created', label: 'Created' }],
    figure: 'Tickets created',
  },
  {
    key: 'solved',
    label: 'Solved',
    value: (r) => r.ticketsSolved,
    format: (v) => formatMeasure('count', v),
    drill: [{ metric: 'tickets_solved', label: 'Solved' }],
    figure: 'Tickets solved',
  },
  fromFigure('frt_median', 'First resp. median'),
  fromFigure('frt_p90', 'First resp. p90'),
  fromFigure('res_median', 'Resolution median'),
  fromFigure('res_p90', 'Resolution p90'),
  fromFigure('sla_fr', 'SLA first resp.'),
  fromFigure('sla_res', 'SLA resolution'),
  fromFigure('reopen', 'Reopen'),
  fromFigure('one_touch', 'One touch'),
  fromFigure('backlog', 'Backlog'),
  fromFigure('csat', 'CSAT'),
  fromFigure('response_rate', 'Response rate'),
];

/**
 * The group's name and the filter that selects it (a group without a value: filter.noValue);
 * null filter: the drill-down cannot select the group (a ticket custom field's value).
 */
export function groupOf(
  row: Row,
  by: GroupKey,
): { name: string; filter: Partial<KpiFilter> | null } {
  if (by.startsWith('custom.')) {
    const v = row.customValue;
    const name = v == null ? 'No value' : v === 'true' ? 'Yes' : v === 'false' ? 'No' : v;
    return { name, filter: null };
  }
  switch (by) {
    case 'agent':
      return row.agentId
        ? { name: row.agent?.name ?? `Agent ${row.agentId}`, filter: { agentIds: [row.agentId] } }
        : { name: 'Unassigned', filter: { noValue: ['agent'] } };
    case 'team':
      return row.teamId
        ? { name: row.team?.name ?? `Team ${row.teamId}`, filter: { teamIds: [row.teamId] } }
        : { name: 'No team', filter: { noValue: ['team'] } };
    case 'channel':
      return row.channel
        ? { name: humanize(row.channel), filter: { channels: [row.channel] } }
        : { name: 'None', filter: { noValue: ['channel'] } };
    case 'priority':
      return row.priority
        ? { name: humanize(row.priority), filter: { priorities: [row.priority] } }
        : { name: 'None', filter: { noValue: ['priority'] } };
    case 'tier':
      return row.tier
        ? { name: humanize(row.tier), filter: { tiers: [row.tier] } }
        : { name: 'No customer', filter: { noValue: ['tier'] } };
    case 'segment':
      return row.segment
        ? { name: humanize(row.segment), filter: { valueSegments: [row.segment] } }
        : { name: 'Value unknown', filter: { noValue: ['segment'] } };
  }
  return { name: by, filter: null };
}

/** KPIs per agent, team, channel, priority, tier or value segment: sortable, every cell opens. */
export function GroupTable({
  rows,
  by,
  groups = GROUPS,
  onBy,
  filter,
  periodText,
  exportHref,
  loading,
  onDrill,
}: {
  rows: Row[];
  by: GroupKey;
  /** The picker's choices (default: the fixed groups). */
  groups?: readonly GroupChoice[];
  onBy(g: GroupKey): void;
  filter: KpiFilter;
  periodText: string;
  exportHref: string;
  loading: boolean;
  onDrill(t: DrillTarget): void;
}) {
  const [sort, setSort] = useState<{ key: string; desc: boolean }>({ key: 'group', desc: false });
  const groupLabel = groups.find((g) => g.value === by)?.label ?? by;
  const sorted = useMemo(() => {
    const withName = rows.map((r) => ({ r, g: groupOf(r, by) }));
    const col = COLUMNS.find((c) => c.key === sort.key);
    withName.sort((a, b) => {
      if (!col) return a.g.name.localeCompare(b.g.name) * (sort.desc ? -1 : 1);
      const x = col.value(a.r);
      const y = col.value(b.r);
      if (x == null && y == null) return a.g.name.localeCompare(b.g.name);
      if (x == null) return 1; // no value last, either way
      if (y == null) return -1;
      return (x - y) * (sort.desc ? -1 : 1) || a.g.name.localeCompare(b.g.name);
    });
    return withName;
  }, [rows, by, sort]);

  const header = (key: string, label: string, numeric: boolean) => {
    const active = sort.key === key;
    return (
      <Table.Th
        key={key}
        ta={numeric ? 'right' : undefined}
        aria-sort={active ? (sort.desc ? 'descending' : 'ascending') : 'none'}
        style={{ whiteSpace: 'nowrap' }}
      >
        <UnstyledButton
          onClick={() => setSort(active ? { key, desc: !sort.desc } : { key, desc: numeric })}
          fw={700}
          fz="sm"
        >
          {label}
          <Text span c={active ? undefined : 'dimmed'} ml={4} aria-hidden>
            {active ? (sort.desc ? '↓' : '↑') : '↕'}
          </Text>
        </UnstyledButton>
      </Table.Th>
    );
  };

  return (
    <Paper withBorder radius="md" p="md">
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Title order={2} size="h4">
            By {groupLabel.toLowerCase()}
          </Title>
          <Group gap="sm">
            <Select
              aria-label="Group by"
              data={groups.map((g) => ({ value: g.value, label: g.label }))}
              value={by}
              onChange={(v) => v && onBy(v as GroupKey)}
              allowDeselect={false}
              w={170}
              size="sm"
            />
            <Button component="a" href={exportHref} download variant="light" size="sm">
              Export CSV
            </Button>
          </Group>
        </Group>
        <Table.ScrollContainer minWidth={1500}>
          <Table
            striped
            highlightOnHover
            verticalSpacing={6}
            aria-label={`KPIs by ${groupLabel.toLowerCase()}, ${periodText}`}
          >
            <Table.Thead>
              <Table.Tr>
                {header('group', groupLabel, false)}
                {COLUMNS.map((c) => header(c.key, c.label, true))}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {sorted.map(({ r, g }) => (
                <Table.Tr key={g.name + (r.agentId ?? r.teamId ?? r.customValue ?? '')}>
                  <Table.Th scope="row" fw={600} style={{ whiteSpace: 'nowrap' }}>
                    {g.name}
                  </Table.Th>
                  {COLUMNS.map((c) => {
                    const text = c.format(c.value(r));
                    return (
                      <Table.Td key={c.key} ta="right" style={{ whiteSpace: 'nowrap' }}>
                        {c.drill.length > 0 && g.filter ? (
                          <UnstyledButton
                            fz="sm"
                            style={{ textDecoration: 'underline dotted', textUnderlineOffset: 3 }}
                            aria-label={`${g.name}, ${c.figure}: ${text}. Open the list behind it`}
                            onClick={() =>
                              onDrill({
                                figure: c.figure,
                                scope: `${groupLabel} ${g.name} · ${periodText}`,
                                filter: { ...filter, ...g.filter! },
                                options: c.drill,
                              })
                            }
                          >
                            {text}
                          </UnstyledButton>
                        ) : (
                          <Text fz="sm">{text}</Text>
                        )}
                      </Table.Td>
                    );
                  })}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
        {rows.length === 0 && (
          <Text c="dimmed" ta="center" py="lg">
            {loading ? 'Loading…' : 'No activity in this period.'}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}
