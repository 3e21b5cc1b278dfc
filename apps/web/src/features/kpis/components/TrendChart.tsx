import { LineChart } from '@mantine/charts';
import {
  Group,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Text,
  Title,
  VisuallyHidden,
} from '@mantine/core';
import type { KpiTrendQuery } from '@/gql/graphql';
import { formatHours, formatPercent } from '@/lib/measures';

export type Grain = 'day' | 'week' | 'month';
export type TrendMetric = 'first_response' | 'resolution' | 'sla' | 'csat' | 'backlog';

const METRICS: { value: TrendMetric; label: string }[] = [
  { value: 'first_response', label: 'First response time' },
  { value: 'resolution', label: 'Resolution time' },
  { value: 'sla', label: 'SLA compliance' },
  { value: 'csat', label: 'CSAT' },
  { value: 'backlog', label: 'Backlog' },
];

/** Axis ticks: "45 min", "2.5 h", "3.2 d". */
const shortHours = (v: number) =>
  v < 1 ? `${Math.round(v * 60)} min` : v < 48 ? `${+v.toFixed(1)} h` : `${+(v / 24).toFixed(1)} d`;

type Row = KpiTrendQuery['supportKpis']['rows'][number];

const bucketLabel = (iso: string, grain: Grain) => {
  const d = new Date(iso);
  const opts: Intl.DateTimeFormatOptions =
    grain === 'month'
      ? { month: 'short', year: 'numeric', timeZone: 'UTC' }
      : { day: 'numeric', month: 'short', timeZone: 'UTC' };
  return d.toLocaleDateString('en-GB', opts);
};

/** Trend lines per day/week/month: a duration's median with its p90 beside it, or a rate. */
export function TrendChart({
  rows,
  grain,
  onGrain,
  metric,
  onMetric,
  loading,
}: {
  rows: Row[];
  grain: Grain;
  onGrain(g: Grain): void;
  metric: TrendMetric;
  onMetric(m: TrendMetric): void;
  loading: boolean;
}) {
  const round = (v: number | null | undefined) => (v == null ? null : Math.round(v * 100) / 100);
  const data = rows.map((r) => {
    const x = bucketLabel(r.periodStart, grain);
    switch (metric) {
      case 'first_response':
        return {
          x,
          Median: round(r.firstResponseTime.medianHours),
          p90: round(r.firstResponseTime.p90Hours),
        };
      case 'resolution':
        return {
          x,
          Median: round(r.resolutionTime.medianHours),
          p90: round(r.resolutionTime.p90Hours),
        };
      case 'sla':
        return {
          x,
          'First response': round(r.slaFirstResponse.compliancePercent),
          Resolution: round(r.slaResolution.compliancePercent),
        };
      case 'csat':
        return { x, CSAT: round(r.csatPercent) };
      default:
        return { x, Backlog: r.backlogAtEnd };
    }
  });
  const series =
    metric === 'first_response' || metric === 'resolution'
      ? [
          { name: 'Median', color: 'indigo.6' },
          { name: 'p90', color: 'orange.6', strokeDasharray: '5 4' },
        ]
      : metric === 'sla'
        ? [
            { name: 'First response', color: 'indigo.6' },
            { name: 'Resolution', color: 'teal.6' },
          ]
        : metric === 'csat'
          ? [{ name: 'CSAT', color: 'teal.6' }]
          : [{ name: 'Backlog', color: 'grape.6' }];
  const hours = metric === 'first_response' || metric === 'resolution';
  const fmt = (v: number) =>
    hours ? formatHours(v) : metric === 'backlog' ? String(v) : formatPercent(v);
  const label = METRICS.find((m) => m.value === metric)!.label;
  return (
    <Paper withBorder radius="md" p="md">
      <Stack gap="sm">
        <Group justify="space-between" wrap="wrap">
          <Title order={2} size="h4">
            Trend
          </Title>
          <Group gap="sm">
            <Select
              aria-label="Trend figure"
              data={METRICS}
              value={metric}
              onChange={(v) => v && onMetric(v as TrendMetric)}
              allowDeselect={false}
              w={210}
              size="sm"
            />
            <SegmentedControl
              aria-label="Trend by"
              size="sm"
              value={grain}
              onChange={(v) => onGrain(v as Grain)}
              data={[
                { value: 'day', label: 'Day' },
                { value: 'week', label: 'Week' },
                { value: 'month', label: 'Month' },
              ]}
            />
          </Group>
        </Group>
        {data.length === 0 ? (
          <Text c="dimmed" ta="center" py="xl">
            {loading ? 'Loading the trend…' : 'No activity in this period.'}
          </Text>
        ) : (
          <figure style={{ margin: 0 }} aria-label={`${label} by ${grain}`}>
            <LineChart
              h={240}
              data={data}
              dataKey="x"
              series={series}
              curveType="monotone"
              withLegend
              legendProps={{ verticalAlign: 'bottom' }}
              valueFormatter={fmt}
              connectNulls
              yAxisProps={{ width: 56, tickFormatter: hours ? shortHours : undefined }}
            />
            <VisuallyHidden>
              <table>
                <caption>{`${label} by ${grain}`}</caption>
                <thead>
                  <tr>
                    <th scope="col">{grain}</th>
                    {series.map((s) => (
                      <th scope="col" key={s.name}>
                        {s.name}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {data.map((d) => (
                    <tr key={d.x}>
                      <th scope="row">{d.x}</th>
                      {series.map((s) => {
                        const v = (d as Record<string, unknown>)[s.name];
                        return <td key={s.name}>{typeof v === 'number' ? fmt(v) : '–'}</td>;
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </VisuallyHidden>
          </figure>
        )}
      </Stack>
    </Paper>
  );
}
