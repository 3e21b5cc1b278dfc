import { useQuery } from '@apollo/client/react';
import {
  Alert,
  Badge,
  Group,
  MultiSelect,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router';
import { useSession } from '@/app/session';
import { FigureCard } from '@/components/FigureCard';
import { PeriodPicker } from '@/components/PeriodPicker';
import {
  KpiSummaryDocument,
  KpiTableDocument,
  KpiTeamsDocument,
  KpiTrendDocument,
  type KpiFilter,
} from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { delta, formatMeasure } from '@/lib/measures';
import {
  formatPeriod,
  periodDays,
  periodFromSearch,
  periodToSearch,
  previousPeriod,
  type PeriodPreset,
} from '@/lib/period';
import { DrillDrawer, type DrillTarget } from '../components/DrillDrawer';
import { GroupTable } from '../components/GroupTable';
import { TrendChart, type Grain, type TrendMetric } from '../components/TrendChart';
import { FIGURES, GROUPS, groupChoices, type GroupKey } from '../lib/figures';

const PRESETS: readonly PeriodPreset[] = ['this_week', 'last_4_weeks', 'this_quarter', 'custom'];
const MAX_DAYS = 366;

/**
 * The team lead's dashboard (issue 17): the figures of a period with the previous period of
 * equal length beside them, trends, a grouped table with CSV export, and every number opening
 * the tickets behind it. State lives in the URL (period, teams, grouping, trend).
 */
export function KpiRoute() {
  const { user } = useSession();
  const [search, setSearch] = useSearchParams();
  const [now] = useState(() => new Date());
  const period = useMemo(() => periodFromSearch(search, 'this_week', PRESETS, now), [search, now]);
  const prev = previousPeriod(period);
  const periodText = formatPeriod(period);
  const teamIds = search.getAll('team');
  const byParam = search.get('by') ?? '';
  // a ticket custom field (custom.<key>) is checked by the API, which names a bad one
  const by = (
    /^custom\.[a-z][a-z0-9_]{0,39}$/.test(byParam)
      ? byParam
      : (GROUPS.find((g) => g.value === byParam)?.value ?? 'agent')
  ) as GroupKey;
  const days = periodDays(period);
  const grain = (
    ['day', 'week', 'month'].includes(search.get('grain') ?? '')
      ? search.get('grain')
      : days <= 31
        ? 'day'
        : days <= 120
          ? 'week'
          : 'month'
  ) as Grain;
  const trendMetric = (search.get('trend') ?? 'first_response') as TrendMetric;
  const [drill, setDrill] = useState<DrillTarget | null>(null);

  const update = (f: (s: URLSearchParams) => void) => {
    const next = new URLSearchParams(search);
    f(next);
    setSearch(next, { replace: true });
  };

  useEffect(() => {
    document.title = 'Team KPIs · Staydesk';
  }, []);

  // a lead is offered only the teams they lead or belong to (the api enforces the same)
  const teamsQ = useQuery(KpiTeamsDocument);
  const teamOptions = useMemo(() => {
    const all = teamsQ.data?.teams ?? [];
    const mine =
      user?.role === 'admin'
        ? all
        : all.filter((t) => t.leadId === user?.id || t.id === user?.teamId);
    return mine.map((t) => ({ value: t.id, label: t.name }));
  }, [teamsQ.data, user]);
  const groups = useMemo(
    () => groupChoices(teamsQ.data?.customFieldDefinitions ?? []),
    [teamsQ.data],
  );

  const base = {
    ...(teamIds.length ? { teamIds } : {}),
  };
  const filter: KpiFilter = {
    from: period.from.toISOString(),
    to: period.to.toISOString(),
    ...base,
  };
  const prevFilter: KpiFilter = {
    from: prev.from.toISOString(),
    to: prev.to.toISOString(),
    ...base,
  };
  const summary = useQuery(KpiSummaryDocument, {
    variables: { current: filter, previous: prevFilter },
  });
  const trend = useQuery(KpiTrendDocument, { variables: { filter, groupBy: [grain] } });
  const table = useQuery(KpiTableDocument, { variables: { filter, groupBy: [by] } });

  const cur = summary.data?.current.rows[0] ?? null;
  const before = summary.data?.previous.rows[0] ?? null;
  const sNow = summary.data?.surveysNow ?? null;
  const sBefore = summary.data?.surveysBefore ?? null;
  const problem = apiProblem(summary.error ?? trend.error ?? table.error);
  const scopeName =
    teamIds.length > 0
      ? teamOptions
          .filter((t) => teamIds.includes(t.value))
          .map((t) => t.label)
          .join(', ')
      : user?.role === 'admin'
        ? 'All teams'
        : teamOptions.map((t) => t.label).join(', ') || 'Your teams';

  const exportParams = new URLSearchParams({
    from: filter.from!,
    to: filter.to!,
    groupBy: by,
  });
  if (teamIds.length) exportParams.set('teamIds', teamIds.join(','));

  return (
    <Stack gap="lg" p={{ base: 'sm', sm: 'lg' }}>
      <Group justify="space-between" align="flex-end" wrap="wrap">
        <Stack gap={2}>
          <Title order={1} size="h2">
            Team KPIs
          </Title>
          <Text c="dimmed" size="sm">
            {scopeName} · compared with {formatPeriod(prev)}
          </Text>
        </Stack>
        <MultiSelect
          label="Teams"
          placeholder={
            teamIds.length ? undefined : user?.role === 'admin' ? 'All teams' : 'All my teams'
          }
          data={teamOptions}
          value={teamIds}
          onChange={(v) =>
            update((s) => {
              s.delete('team');
              for (const id of v) s.append('team', id);
            })
          }
          clearable
          w={320}
          size="sm"
        />
      </Group>
      <PeriodPicker
        value={period}
        presets={PRESETS}
        now={now}
        maxDays={MAX_DAYS}
        onChange={(p) => setSearch(periodToSearch(p, search), { replace: true })}
      />
      {problem && (
        <Alert color="red" title="The figures could not be loaded">
          {problem.message}
        </Alert>
      )}
      <section aria-labelledby="kpi-figures">
        <Group gap="xs" mb="xs">
          <Title order={2} size="h4" id="kpi-figures">
            {periodText}
          </Title>
          {cur && (
            <Badge variant="light" color="gray" title="Business hours where a team has a calendar">
              {cur.hoursBasis === 'business'
                ? 'Business hours'
                : cur.hoursBasis === 'mixed'
                  ? 'Business and calendar hours'
                  : 'Calendar hours'}
            </Badge>
          )}
        </Group>
        <SimpleGrid cols={{ base: 1, xs: 2, md: 3, lg: 4 }} spacing="sm">
          {FIGURES.map((f) => {
            if (summary.loading && !summary.data)
              return <Skeleton key={f.key} h={128} radius="md" />;
            const v = f.value(cur, sNow);
            const p = f.value(before, sBefore);
            const value = formatMeasure(f.unit, v);
            return (
              <FigureCard
                key={f.key}
                label={f.label}
                value={value}
                sub={f.sub?.(cur, sNow) ?? undefined}
                previous={formatMeasure(f.unit, p)}
                delta={delta(v, p, f.unit, f.better)}
                definition={f.definition}
                onOpen={
                  f.drill && cur
                    ? () =>
                        setDrill({
                          figure: f.label,
                          scope: `${scopeName} · ${periodText}`,
                          filter,
                          options: f.drill!,
                        })
                    : undefined
                }
              />
            );
          })}
        </SimpleGrid>
      </section>
      <TrendChart
        rows={trend.data?.supportKpis.rows ?? []}
        loading={trend.loading}
        grain={grain}
        onGrain={(g) => update((s) => s.set('grain', g))}
        metric={trendMetric}
        onMetric={(m) => update((s) => s.set('trend', m))}
      />
      <GroupTable
        rows={table.data?.supportKpis.rows ?? []}
        loading={table.loading}
        by={by}
        groups={groups}
        onBy={(g) => update((s) => s.set('by', g))}
        filter={filter}
        periodText={periodText}
        exportHref={`/exports/kpis.csv?${exportParams.toString()}`}
        onDrill={setDrill}
      />
      <DrillDrawer target={drill} onClose={() => setDrill(null)} />
    </Stack>
  );
}
