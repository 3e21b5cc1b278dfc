import { useApolloClient } from '@apollo/client/react';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Drawer,
  Group,
  SegmentedControl,
  Skeleton,
  Stack,
  Table,
  Text,
} from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import {
  RetentionCustomersListDocument,
  type RetentionCustomersListQuery,
  type RetentionFigure,
  type RiskBand,
  type ValueSegment,
} from '@/gql/graphql';
import { apiProblem, type ApiProblem } from '@/lib/errors';
import { formatCount, formatMoney, humanize } from '@/lib/format';

export interface CustomersOption {
  label: string;
  figure: RetentionFigure;
  band?: RiskBand;
}

export interface CustomersTarget {
  figure: string;
  scope: string;
  period: { from: string; to: string };
  segment?: ValueSegment | null;
  unknownSegment?: boolean;
  options: CustomersOption[];
}

type Edge = RetentionCustomersListQuery['retentionCustomers']['edges'][number];
const PAGE = 25;

/** The api counts only when cheap; otherwise the count is known once the last page is in. */
function countText(total: number | null, shown: number, more: boolean, loading: boolean) {
  const n = total ?? (more || loading ? null : shown);
  if (n == null) return loading && shown === 0 ? 'Counting…' : `${formatCount(shown)}+ customers`;
  return `${formatCount(n)} ${n === 1 ? 'customer' : 'customers'}`;
}

/** The customers behind a retention figure (retentionCustomers), paged; rows open the customer. */
export function CustomersDrawer({
  target,
  onClose,
}: {
  target: CustomersTarget | null;
  onClose(): void;
}) {
  const client = useApolloClient();
  const [choice, setChoice] = useState(0);
  const [edges, setEdges] = useState<Edge[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const request = useRef(0);
  const option = target?.options[choice] ?? target?.options[0];

  async function load(after: string | null) {
    if (!target || !option) return;
    const id = ++request.current;
    setLoading(true);
    try {
      const { data, error } = await client.query({
        query: RetentionCustomersListDocument,
        variables: {
          period: target.period,
          figure: option.figure,
          band: option.band,
          segment: target.segment ?? undefined,
          unknownSegment: target.unknownSegment || undefined,
          first: PAGE,
          after,
        },
        fetchPolicy: 'network-only',
      });
      if (error) throw error;
      if (id !== request.current) return;
      const page = data!.retentionCustomers;
      setEdges((prev) => (after ? [...prev, ...page.edges] : page.edges));
      // exact on every page (null only on a page past the end: keep what the first page said)
      setTotal((prev) => page.totalCount ?? (after ? prev : null));
      setNext(page.pageInfo.hasNextPage ? (page.pageInfo.endCursor ?? null) : null);
      setProblem(null);
    } catch (e) {
      if (id === request.current) setProblem(apiProblem(e));
    } finally {
      if (id === request.current) setLoading(false);
    }
  }

  useEffect(() => {
    setChoice(0);
  }, [target]);
  useEffect(() => {
    setEdges([]);
    setTotal(null);
    setNext(null);
    void load(null);
  }, [target, choice]);

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
                aria-label="Which customers"
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
              {countText(total, edges.length, !!next, loading)}
            </Text>
          </Group>
          {problem && (
            <Alert color="red" title="The list could not be loaded">
              {problem.message}
            </Alert>
          )}
          <Table.ScrollContainer minWidth={560}>
            <Table
              highlightOnHover
              verticalSpacing="xs"
              aria-label={`${target.figure}, ${option?.label ?? ''}: customers`}
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Customer</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th>Value segment</Table.Th>
                  <Table.Th ta="right">MRR at start</Table.Th>
                  <Table.Th ta="right">MRR at end</Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {edges.map(({ node }) => (
                  <Table.Tr key={node.customerId}>
                    <Table.Td>
                      <Anchor
                        component={Link}
                        to={`/customers/${node.customerId}`}
                        fw={600}
                        c="var(--mantine-color-text)"
                      >
                        {node.customer.name}
                      </Anchor>
                      <Text size="xs" c="dimmed">
                        {humanize(node.customer.tier)}
                      </Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge
                        variant="light"
                        color={node.customer.status === 'churned' ? 'red' : 'teal'}
                        size="sm"
                      >
                        {humanize(node.customer.status)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm">{node.segment ? humanize(node.segment) : 'Unknown'}</Text>
                    </Table.Td>
                    <Table.Td ta="right">
                      <Text size="sm">
                        {node.mrrAtStart == null ? '–' : formatMoney(node.mrrAtStart)}
                      </Text>
                    </Table.Td>
                    <Table.Td ta="right">
                      <Text size="sm">
                        {node.mrrAtEnd == null ? '–' : formatMoney(node.mrrAtEnd)}
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
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
              No customers behind this figure.
            </Text>
          )}
          {next && (
            <Group justify="center">
              <Button variant="default" loading={loading} onClick={() => void load(next)}>
                Load {PAGE} more
              </Button>
            </Group>
          )}
        </Stack>
      )}
    </Drawer>
  );
}
