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
import { RetentionOverviewDocument } from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { formatMoney, humanize } from '@/lib/format';
import { delta, formatMeasure, formatNumber } from '@/lib/measures';
import { formatPeriod, periodFromSearch, periodToSearch } from '@/lib/period';
import { CustomersDrawer, type CustomersTarget } from '../components/CustomersDrawer';
import { PRESETS, FIGS, BANDS, SEGMENT_COLUMNS, cellLink } from './retention-figures';

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
                value={formatMeasure(f.unit, v)}
                sub={f.sub?.(cur)}
                previous={formatMeasure(f.unit, p)}
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
                          const text = formatMeasure(c.unit, c.value(s));
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
