import { useQuery } from '@apollo/client/react';
import {
  Alert,
  Grid,
  Paper,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { FigureCard } from '@/components/FigureCard';
import { PeriodPicker } from '@/components/PeriodPicker';
import {
  RetentionOverviewDocument,
  type RetentionPeriodFiguresFragment,
  type RiskBand,
  type SegmentFiguresFragment,
} from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { formatMoney, humanize } from '@/lib/format';
import { delta, formatNumber, formatPercent, type Better, type Unit } from '@/lib/measures';
import { formatPeriod, periodFromSearch, periodToSearch, type PeriodPreset } from '@/lib/period';
import {
  CustomersDrawer,
  type CustomersOption,
  type CustomersTarget,
} from '../components/CustomersDrawer';

const PRESETS: readonly PeriodPreset[] = [
  'this_month',
  'last_month',
  'this_quarter',
  'last_quarter',
  'custom',
];

type Figures = RetentionPeriodFiguresFragment;

interface Fig {
  key: string;
  label: string;
  unit: Unit;
  better: Better;
  definition: string;
  value(f: Figures): number | null;
  sub?(f: Figures): string;
  options: CustomersOption[];
}

const fmt = (unit: Unit, v: number | null | undefined) =>
  unit === 'percent'
    ? formatPercent(v)
    : unit === 'money'
      ? v == null
        ? '–'
        : formatMoney(v)
      : formatNumber(v);

const FIGS: Fig[] = [
  {
    key: 'retention',
    label: 'Retention rate',
    unit: 'percent',
    better: 'higher',
    definition:
      'Retention rate % = (customers at end − customers acquired in the period) ÷ customers at start × 100.',
    value: (f) => f.retentionRatePercent ?? null,
    sub: (f) =>
      `${formatNumber(f.customersAtStart)} at start, ${formatNumber(f.customersAtEnd)} at end`,
    options: [
      { label: 'Lost', figure: 'lost' },
      { label: 'At start', figure: 'customers_at_start' },
      { label: 'At end', figure: 'customers_at_end' },
    ],
  },
  {
    key: 'churn',
    label: 'Churn rate',
    unit: 'percent',
    better: 'lower',
    definition: 'Churn rate % = customers churned in the period ÷ customers at start × 100.',
    value: (f) => f.churnRatePercent ?? null,
    sub: (f) => `${formatNumber(f.churned)} churned of ${formatNumber(f.customersAtStart)}`,
    options: [{ label: 'Churned', figure: 'churned' }],
  },
  {
    key: 'at_start',
    label: 'Customers at start',
    unit: 'count',
    better: 'higher',
    definition:
      'Signed up before the start and active at the start (last status change before it).',
    value: (f) => f.customersAtStart,
    options: [{ label: 'At start', figure: 'customers_at_start' }],
  },
  {
    key: 'at_end',
    label: 'Customers at end',
    unit: 'count',
    better: 'higher',
    definition: 'Signed up before the end and active at the end.',
    value: (f) => f.customersAtEnd,
    options: [{ label: 'At end', figure: 'customers_at_end' }],
  },
  {
    key: 'acquired',
    label: 'Acquired',
    unit: 'count',
    better: 'higher',
    definition: 'Customers whose customer_since falls in the period.',
    value: (f) => f.acquired,
    options: [{ label: 'Acquired', figure: 'acquired' }],
  },
  {
    key: 'churned',
    label: 'Churned',
    unit: 'count',
    better: 'lower',
    definition: 'Customers with a change to churned in the period.',
    value: (f) => f.churned,
    options: [{ label: 'Churned', figure: 'churned' }],
  },
  {
    key: 'mrr_start',
    label: 'MRR at start',
    unit: 'money',
    better: 'higher',
    definition:
      'Σ MRR at the start (from the MRR history) of the customers active then; unknown MRRs are left out.',
    value: (f) => f.revenue.revenueAtStart,
    sub: (f) =>
      f.revenue.unknownMrr
        ? `${formatNumber(f.revenue.unknownMrr)} with unknown MRR`
        : 'every MRR known',
    options: [{ label: 'At start', figure: 'customers_at_start' }],
  },
  {
    key: 'revenue_churn',
    label: 'Revenue churn',
    unit: 'percent',
    better: 'lower',
    definition:
      'Revenue churn % = MRR at the start of the customers active then and not at the end ÷ MRR at start × 100.',
    value: (f) => f.revenue.revenueChurnRatePercent ?? null,
    sub: (f) => `${formatMoney(f.revenue.revenueChurned)} MRR lost`,
    options: [{ label: 'Lost', figure: 'lost' }],
  },
  {
    key: 'nrr',
    label: 'Net revenue retention',
    unit: 'percent',
    better: 'higher',
    definition:
      'NRR % = Σ MRR at the end of the customers active at the start (0 for those lost; expansion and contraction count, new customers do not) ÷ MRR at start × 100.',
    value: (f) => f.revenue.netRevenueRetentionPercent ?? null,
    sub: (f) =>
      `${formatMoney(f.revenue.revenueRetained)} of ${formatMoney(f.revenue.revenueAtStart)} kept`,
    options: [
      { label: 'At start', figure: 'customers_at_start' },
      { label: 'Lost', figure: 'lost' },
    ],
  },
  {
    key: 'at_risk',
    label: 'Revenue at risk',
    unit: 'money',
    better: 'lower',
    definition:
      'Σ MRR of the customers active at the end in the high and critical risk bands (band as of the end).',
    value: (f) => f.revenueAtRisk,
    options: [
      { label: 'Critical', figure: 'customers_at_end', band: 'critical' },
      { label: 'High', figure: 'customers_at_end', band: 'high' },
    ],
  },
];

const BANDS: RiskBand[] = ['critical', 'high', 'medium', 'low'];
const SEGMENT_COLUMNS: {
  key: string;
  label: string;
  unit: Unit;
  value(s: SegmentFiguresFragment): number | null;
  options: CustomersOption[];
}[] = [
  {
    key: 'start',
    label: 'At start',
    unit: 'count',
    value: (s) => s.customersAtStart,
    options: [{ label: 'At start', figure: 'customers_at_start' }],
  },
  {
    key: 'end',
    label: 'At end',
    unit: 'count',
    value: (s) => s.customersAtEnd,
    options: [{ label: 'At end', figure: 'customers_at_end' }],
  },
  {
    key: 'acq',
    label: 'Acquired',
    unit: 'count',
    value: (s) => s.acquired,
    options: [{ label: 'Acquired', figure: 'acquired' }],
  },
  {
    key: 'churned',
    label: 'Churned',
    unit: 'count',
    value: (s) => s.churned,
    options: [{ label: 'Churned', figure: 'churned' }],
  },
  {
    key: 'ret',
    label: 'Retention',
    unit: 'percent',
    value: (s) => s.retentionRatePercent ?? null,
    options: [
      { label: 'Lost', figure: 'lost' },
      { label: 'At start', figure: 'customers_at_start' },
    ],
  },
  {
    key: 'churn',
    label: 'Churn',
    unit: 'percent',
    value: (s) => s.churnRatePercent ?? null,
    options: [{ label: 'Churned', figure: 'churned' }],
  },
  {
    key: 'mrr',
    label: 'MRR at start',
    unit: 'money',
    value: (s) => s.revenueAtStart,
    options: [{ label: 'At start', figure: 'customers_at_start' }],
  },
  {
    key: 'rchurn',
    label: 'Revenue churn',
    unit: 'percent',
    value: (s) => s.revenueChurnRatePercent ?? null,
    options: [{ label: 'Lost', figure: 'lost' }],
  },
  {
    key: 'nrr',
    label: 'NRR',
    unit: 'percent',
    value: (s) => s.netRevenueRetentionPercent ?? null,
    options: [
      { label: 'At start', figure: 'customers_at_start' },
      { label: 'Lost', figure: 'lost' },
    ],
  },
];

const cellLink = { textDecoration: 'underline dotted', textUnderlineOffset: 3 } as const;

/** Retention summary (issue 17 AM section, #23 segments): every number opens its customers. */
export function RetentionRoute() {
  const [search, setSearch] = useSearchParams();
  const [now] = useState(() => new Date());
  const period = useMemo(() => periodFromSearch(search, 'last_month', PRESETS, now), [search, now]);
  const periodText = formatPeriod(period);
  const [drill, setDrill] = useState<CustomersTarget | null>(null);
  const vars = { from: period.from.toISOString(), to: period.to.toISOString() };
  const { data, loading, error } = useQuery(RetentionOverviewDocument, {
    variables: { period: vars },
  });
  useEffect(() => {
    document.title = 'Retention · Staydesk';
  }, []);
  const cur = data?.retentionSummary.current;
  const prev = data?.retentionSummary.previous;
  const problem = apiProblem(error);
  const open = (t: Omit<CustomersTarget, 'period'>) => setDrill({ ...t, period: vars });

  return (
    <Stack gap="lg" p={{ base: 'sm', sm: 'lg' }}>
      <Stack gap={2}>
        <Title order={1} size="h2">
          Retention
        </Title>
        <Text c="dimmed" size="sm">
          {periodText}
          {prev
            ? ` · compared with ${formatPeriod({ from: new Date(prev.from), to: new Date(prev.to) })}`
            : ''}
        </Text>
      </Stack>
      <PeriodPicker
        value={period}
        presets={PRESETS}
        now={now}
        onChange={(p) => setSearch(periodToSearch(p, search), { replace: true })}
      />
      {problem && (
        <Alert color="red" title="The figures could not be loaded">
          {problem.message}
        </Alert>
      )}
      <section aria-labelledby="retention-figures">
        <Title order={2} size="h4" id="retention-figures" mb="xs">
          Customers and revenue
        </Title>
        <SimpleGrid cols={{ base: 1, xs: 2, md: 3, lg: 5 }} spacing="sm">
          {FIGS.map((f) => {
            if (!cur || !prev) return <Skeleton key={f.key} h={128} radius="md" />;
            const v = f.value(cur);
            const p = f.value(prev);
            return (
              <FigureCard
                key={f.key}
                label={f.label}
                value={fmt(f.unit, v)}
                sub={f.sub?.(cur)}
                previous={fmt(f.unit, p)}
                delta={delta(v, p, f.unit, f.better)}
                definition={f.definition}
                onOpen={() =>
                  open({
                    figure: f.label,
                    scope: `All customers · ${periodText}`,
                    options: f.options,
                  })
                }
              />
            );
          })}
        </SimpleGrid>
      </section>
      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Paper withBorder radius="md" p="md" h="100%">
            <Title order={2} size="h4" mb="sm">
              Risk bands at the end
            </Title>
            <Table
              verticalSpacing={6}
              aria-label={`Customers and MRR per risk band, ${periodText}`}
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Band</Table.Th>
                  <Table.Th ta="right">Customers</Table.Th>
                  <Table.Th ta="right">MRR</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {BANDS.map((band) => {
                  const b = cur?.customersByBand.find((x) => x.band === band);
                  const target = {
                    figure: `${humanize(band)} risk customers`,
                    scope: `Active at the end, ${band} band · ${periodText}`,
                    options: [{ label: 'At end', figure: 'customers_at_end' as const, band }],
                  };
                  return (
                    <Table.Tr key={band}>
                      <Table.Th scope="row">{humanize(band)}</Table.Th>
                      <Table.Td ta="right">
                        <UnstyledButton
                          fz="sm"
                          style={cellLink}
                          aria-label={`${humanize(band)} band: ${b?.customers ?? 0} customers. Open the list`}
                          onClick={() => open(target)}
                        >
                          {formatNumber(b?.customers ?? 0)}
                        </UnstyledButton>
                      </Table.Td>
                      <Table.Td ta="right">
                        <UnstyledButton
                          fz="sm"
                          style={cellLink}
                          aria-label={`${humanize(band)} band: ${formatMoney(b?.mrr ?? 0)} MRR. Open the list`}
                          onClick={() => open(target)}
                        >
                          {formatMoney(b?.mrr ?? 0)}
                        </UnstyledButton>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
            <Text size="xs" c="dimmed" mt="xs">
              Unscored customers are not counted in a band.
            </Text>
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Paper withBorder radius="md" p="md" h="100%">
            <Title order={2} size="h4" mb="sm">
              By value segment
            </Title>
            <Table.ScrollContainer minWidth={760}>
              <Table
                striped
                verticalSpacing={6}
                aria-label={`Retention by value segment, ${periodText}`}
              >
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Segment</Table.Th>
                    {SEGMENT_COLUMNS.map((c) => (
                      <Table.Th key={c.key} ta="right">
                        {c.label}
                      </Table.Th>
                    ))}
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {(cur?.bySegment ?? []).map((s) => {
                    const name = s.segment ? humanize(s.segment) : 'Value unknown';
                    return (
                      <Table.Tr key={s.segment ?? 'unknown'}>
                        <Table.Th scope="row">{name}</Table.Th>
                        {SEGMENT_COLUMNS.map((c) => {
                          const text = fmt(c.unit, c.value(s));
                          return (
                            <Table.Td key={c.key} ta="right" style={{ whiteSpace: 'nowrap' }}>
                              <UnstyledButton
                                fz="sm"
                                style={cellLink}
                                aria-label={`${name}, ${c.label}: ${text}. Open the list`}
                                onClick={() =>
                                  open({
                                    figure: `${c.label} · ${name}`,
                                    scope: `${name} segment · ${periodText}`,
                                    segment: s.segment,
                                    unknownSegment: !s.segment,
                                    options: c.options,
                                  })
                                }
                              >
                                {text}
                              </UnstyledButton>
                            </Table.Td>
                          );
                        })}
                      </Table.Tr>
                    );
                  })}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
            {cur && cur.bySegment.length === 0 && (
              <Text c="dimmed" ta="center" py="md">
                No customers in this period.
              </Text>
            )}
            {loading && !cur && <Skeleton h={120} />}
          </Paper>
        </Grid.Col>
      </Grid>
      <CustomersDrawer target={drill} onClose={() => setDrill(null)} />
    </Stack>
  );
}
