import { useApolloClient } from '@apollo/client/react';
import { Anchor, Badge, Table, Text } from '@mantine/core';
import { Link } from 'react-router';
import { ListDrawer } from '@/components/ListDrawer';
import {
  RetentionCustomersListDocument,
  type RetentionFigure,
  type RiskBand,
  type ValueSegment,
} from '@/gql/graphql';
import { useDrillList, type DrillListTarget } from '@/lib/drill-list';
import { formatCount, formatMoney, humanize } from '@/lib/format';

export interface CustomersOption {
  label: string;
  figure: RetentionFigure;
  band?: RiskBand;
}

export interface CustomersTarget extends DrillListTarget<CustomersOption> {
  period: { from: string; to: string };
  segment?: ValueSegment | null;
  unknownSegment?: boolean;
}

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
  const list = useDrillList(target, async (drill, option, after, first) => {
    const { data, error } = await client.query({
      query: RetentionCustomersListDocument,
      variables: {
        period: drill.period,
        figure: option.figure,
        band: option.band,
        segment: drill.segment ?? undefined,
        unknownSegment: drill.unknownSegment || undefined,
        first,
        after,
      },
      fetchPolicy: 'network-only',
    });
    if (error) throw error;
    return data!.retentionCustomers;
  });

  return (
    <ListDrawer
      target={target}
      onClose={onClose}
      list={list}
      pickerLabel="Which customers"
      count={countText(list.total, list.edges.length, !!list.next, list.loading)}
      tableLabel={`${target?.figure ?? ''}, ${list.option?.label ?? ''}: customers`}
      head={
        <>
          <Table.Th>Customer</Table.Th>
          <Table.Th>Status</Table.Th>
          <Table.Th>Value segment</Table.Th>
          <Table.Th ta="right">MRR at start</Table.Th>
          <Table.Th ta="right">MRR at end</Table.Th>
        </>
      }
      empty="No customers behind this figure."
    >
      {list.edges.map(({ node }) => (
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
            <Text size="sm">{node.mrrAtStart == null ? '–' : formatMoney(node.mrrAtStart)}</Text>
          </Table.Td>
          <Table.Td ta="right">
            <Text size="sm">{node.mrrAtEnd == null ? '–' : formatMoney(node.mrrAtEnd)}</Text>
          </Table.Td>
        </Table.Tr>
      ))}
    </ListDrawer>
  );
}
