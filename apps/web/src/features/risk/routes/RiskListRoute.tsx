import { useQuery } from '@apollo/client/react';
import { Sparkline } from '@mantine/charts';
import {
  Alert,
  Anchor,
  Button,
  Group,
  MultiSelect,
  NumberInput,
  Paper,
  SegmentedControl,
  Select,
  Stack,
  Switch,
  Table,
  Text,
  Title,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import { Link } from 'react-router';
import { LINK_COLOR, RISE_COLOR } from '@/components/link-color';
import { RiskBadge } from '@/components/badges';
import { useSession } from '@/app/session';
import {
  RiskListDocument,
  type RiskBand,
  type RiskListFilter,
  type RiskListOrder,
  type Tier,
} from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { formatCount, formatMoney, formatRelative, humanize } from '@/lib/format';
import { FactorBars } from '../components/FactorBars';
import { RiskActionsMenu } from '../components/RiskActions';

const PAGE = 25;
const TIGHT = { width: 1, whiteSpace: 'nowrap' } as const;
const ORDERS: { value: RiskListOrder; label: string }[] = [
  { value: 'score', label: 'Score' },
  { value: 'revenue_at_risk', label: 'Revenue at risk' },
  { value: 'score_change', label: 'Score change (30 days)' },
  { value: 'expected_value_at_risk', label: 'Expected value at risk' },
  { value: 'going_quiet', label: 'Going quiet' },
];
const BANDS: RiskBand[] = ['critical', 'high', 'medium', 'low'];
const TIERS: Tier[] = ['enterprise', 'pro', 'starter', 'free'];

/** The account manager's call list: who is at risk, why, what it is worth, what to do. */
export function RiskListRoute() {
  const { user } = useSession();
  const [scope, setScope] = useState<'mine' | 'all'>(
    user?.role === 'account_manager' ? 'mine' : 'all',
  );
  const [list, setList] = useState<'active' | 'snoozed'>('active');
  const [orderBy, setOrderBy] = useState<RiskListOrder>('score');
  const [bands, setBands] = useState<string[]>([]);
  const [tiers, setTiers] = useState<string[]>([]);
  const [renewal, setRenewal] = useState<number | string>('');
  const [rising, setRising] = useState(false);

  useEffect(() => {
    document.title = 'Risk list · Staydesk';
  }, []);

  const filter = useMemo<RiskListFilter>(() => {
    const f: RiskListFilter = { snoozed: list === 'snoozed' ? 'only' : 'exclude' };
    if (scope === 'mine') f.mine = true;
    if (bands.length) f.bands = bands as RiskBand[];
    if (tiers.length) f.tiers = tiers as Tier[];
    if (renewal !== '' && Number(renewal) > 0) f.renewalWithinDays = Number(renewal);
    if (rising) f.risingDays = 30;
    return f;
  }, [scope, list, bands, tiers, renewal, rising]);

  const { data, loading, error, fetchMore } = useQuery(RiskListDocument, {
    variables: { filter, orderBy, first: PAGE },
    notifyOnNetworkStatusChange: true,
  });
  const edges = data?.riskList.edges ?? [];
  const problem = apiProblem(error);
  const now = new Date();

  return (
    <Stack gap="md" p={{ base: 'sm', sm: 'lg' }}>
      <Group justify="space-between" align="flex-end">
        <Group gap="sm" align="baseline">
          <Title order={1} size="h2">
            Risk list
          </Title>
          <Text c="dimmed" aria-live="polite">
            {data
              ? data.riskList.totalCount != null
                ? `${formatCount(data.riskList.totalCount)} customers`
                : `${edges.length}${data.riskList.pageInfo.hasNextPage ? '+' : ''} customers`
              : ''}
          </Text>
        </Group>
        <Group gap="sm">
          <SegmentedControl
            aria-label="Whose customers"
            value={scope}
            onChange={(v) => setScope(v as 'mine' | 'all')}
            data={[
              { value: 'mine', label: 'My accounts' },
              { value: 'all', label: 'All accounts' },
            ]}
          />
          <SegmentedControl
            aria-label="List"
            value={list}
            onChange={(v) => setList(v as 'active' | 'snoozed')}
            data={[
              { value: 'active', label: 'On the list' },
              { value: 'snoozed', label: 'Snoozed' },
            ]}
          />
        </Group>
      </Group>
      <Paper withBorder p="sm" radius="md">
        <Group gap="md" align="flex-end" wrap="wrap">
          <Select
            label="Sort by"
            data={ORDERS}
            value={orderBy}
            onChange={(v) => setOrderBy((v as RiskListOrder) ?? 'score')}
            allowDeselect={false}
            w={220}
          />
          <MultiSelect
            label="Band"
            placeholder={bands.length ? undefined : 'Any band'}
            data={BANDS.map((b) => ({ value: b, label: humanize(b) }))}
            value={bands}
            onChange={setBands}
            clearable
            w={220}
          />
          <MultiSelect
            label="Tier"
            placeholder={tiers.length ? undefined : 'Any tier'}
            data={TIERS.map((t) => ({ value: t, label: humanize(t) }))}
            value={tiers}
            onChange={setTiers}
            clearable
            w={220}
          />
          <NumberInput
            label="Renewal within (days)"
            placeholder="Any time"
            min={1}
            max={3650}
            value={renewal}
            onChange={setRenewal}
            w={170}
          />
          <Switch
            label="Rising over 30 days"
            checked={rising}
            onChange={(e) => setRising(e.currentTarget.checked)}
            mb={8}
          />
        </Group>
      </Paper>
      {problem && (
        <Alert color="red" role="alert">
          {problem.message}
        </Alert>
      )}
      <Paper withBorder radius="md" style={{ overflowX: 'auto' }}>
        <Table highlightOnHover verticalSpacing="sm" aria-label="Customers by churn risk">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Customer</Table.Th>
              <Table.Th style={TIGHT}>Risk</Table.Th>
              <Table.Th style={TIGHT}>90 days</Table.Th>
              <Table.Th w={110}>Revenue at risk</Table.Th>
              <Table.Th w={120}>Expected value at risk</Table.Th>
              <Table.Th style={TIGHT}>Renewal</Table.Th>
              <Table.Th w={90}>Last contact</Table.Th>
              <Table.Th>Top factors (points)</Table.Th>
              <Table.Th style={TIGHT}>
                <VisuallyHidden>Actions</VisuallyHidden>
              </Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {edges.map(({ node: r }) => {
              const points = r.history.map((h) => h.score);
              if (points.length === 0 || points[points.length - 1] !== r.score)
                points.push(r.score);
              const change = r.scoreChange;
              return (
                <Table.Tr key={r.customerId}>
                  <Table.Td miw={180}>
                    <Anchor
                      c={LINK_COLOR}
                      component={Link}
                      to={`/customers/${r.customerId}`}
                      fw={600}
                    >
                      {r.customer.name}
                    </Anchor>
                    <Text size="xs" c="dimmed">
                      {humanize(r.customer.tier)} · {formatMoney(r.mrr)}/mo
                      {r.owner ? ` · ${r.owner.name}` : ' · no account manager'}
                    </Text>
                    {r.snoozedUntil && (
                      <Text size="xs" c="dimmed">
                        Snoozed until {new Date(r.snoozedUntil).toLocaleDateString()}:{' '}
                        {r.snoozeReason}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td style={TIGHT}>
                    <RiskBadge band={r.band} score={r.score} />
                    <Text size="xs" c={change && change > 0 ? RISE_COLOR : 'dimmed'} mt={4}>
                      {change == null
                        ? 'no earlier score'
                        : `${change > 0 ? '+' : change < 0 ? '−' : '±'}${Math.abs(Math.round(change))} in 30 d`}
                    </Text>
                  </Table.Td>
                  <Table.Td style={TIGHT}>
                    <Sparkline
                      w={90}
                      h={32}
                      data={points}
                      curveType="stepAfter"
                      fillOpacity={0.2}
                      color="orange"
                      role="img"
                      aria-label={`Score over 90 days: ${points.map((p) => Math.round(p)).join(', ')}`}
                    />
                  </Table.Td>
                  <Table.Td>
                    <Tooltip label="Score ÷ 100 × MRR" withArrow>
                      <Text size="sm" fw={500}>
                        {formatMoney(r.riskWeightedMrr)}/mo
                      </Text>
                    </Tooltip>
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" fw={500}>
                      {r.expectedValueAtRisk == null
                        ? 'Unknown'
                        : formatMoney(r.expectedValueAtRisk)}
                    </Text>
                    <Text size="xs" c="dimmed">
                      of{' '}
                      {r.expectedLifetimeValue == null
                        ? 'unknown'
                        : formatMoney(r.expectedLifetimeValue)}{' '}
                      expected
                    </Text>
                  </Table.Td>
                  <Table.Td style={TIGHT}>
                    <Text size="sm">{r.renewalDate ?? '–'}</Text>
                    {r.daysToRenewal != null && (
                      <Text size="xs" c={r.daysToRenewal <= 30 ? RISE_COLOR : 'dimmed'}>
                        {r.daysToRenewal >= 0
                          ? `in ${r.daysToRenewal} d`
                          : `${-r.daysToRenewal} d ago`}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm">
                      {r.lastContactAt ? formatRelative(r.lastContactAt, now) : 'Never'}
                    </Text>
                  </Table.Td>
                  <Table.Td miw={240}>
                    <FactorBars factors={r.topFactorPoints} />
                  </Table.Td>
                  <Table.Td style={TIGHT}>
                    <RiskActionsMenu
                      customerId={r.customerId}
                      customerName={r.customer.name}
                      snoozed={r.snoozedUntil != null}
                    />
                  </Table.Td>
                </Table.Tr>
              );
            })}
            {!loading && edges.length === 0 && (
              <Table.Tr>
                <Table.Td colSpan={9}>
                  <Text c="dimmed" ta="center" py="lg">
                    {list === 'snoozed'
                      ? 'No snoozed customers.'
                      : 'No customers match these filters.'}
                  </Text>
                </Table.Td>
              </Table.Tr>
            )}
          </Table.Tbody>
        </Table>
      </Paper>
      {data?.riskList.pageInfo.hasNextPage && (
        <Group justify="center">
          <Button
            variant="default"
            loading={loading}
            onClick={() =>
              fetchMore({
                variables: { after: data.riskList.pageInfo.endCursor },
                updateQuery: (prev, { fetchMoreResult }) => ({
                  riskList: {
                    ...fetchMoreResult.riskList,
                    edges: [...prev.riskList.edges, ...fetchMoreResult.riskList.edges],
                  },
                }),
              })
            }
          >
            Show more
          </Button>
        </Group>
      )}
    </Stack>
  );
}
