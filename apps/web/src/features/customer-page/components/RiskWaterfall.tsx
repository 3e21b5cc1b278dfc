import { BarChart } from '@mantine/charts';
import { Anchor, Button, List, Modal, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router';
import { LINK_COLOR, RISE_COLOR } from '@/components/link-color';
import type { CustomerPageQuery } from '@/gql/graphql';
import { formatDateTime, humanize } from '@/lib/format';

type Risk = NonNullable<CustomerPageQuery['customer']['risk']>;
type Factor = Risk['factors'][number];

const pts = (v: number) => Math.round(v * 10) / 10;
const signed = (v: number) => `${v >= 0 ? '+' : '−'}${Math.abs(pts(v))}`;

/** Baseline (a customer with nothing wrong) = score − Σ contributions. */
export function baselineOf(risk: Risk): number {
  return risk.score - risk.factors.reduce((s, f) => s + f.contribution, 0);
}

/**
 * The score as a waterfall from the baseline through every factor's points to the score, and the
 * same as a table (what a screen reader reads), each factor opening its evidence.
 */
export function RiskWaterfall({ risk }: { risk: Risk }) {
  const [open, setOpen] = useState<Factor | null>(null);
  const shown = risk.factors.filter((f) => Math.abs(f.contribution) >= 0.05);
  const big = shown.filter((f) => Math.abs(f.contribution) >= 1);
  const rest = shown.filter((f) => Math.abs(f.contribution) < 1);
  const restSum = rest.reduce((s, f) => s + f.contribution, 0);
  const baseline = baselineOf(risk);
  const data = [
    { step: 'Baseline', points: pts(baseline), color: 'gray.5', standalone: true },
    ...big.map((f) => ({
      step: humanize(f.name),
      points: pts(f.contribution),
      color: f.contribution >= 0 ? 'orange.6' : 'teal.6',
    })),
    ...(rest.length
      ? [
          {
            step: `${rest.length} smaller`,
            points: pts(restSum),
            color: restSum >= 0 ? 'orange.3' : 'teal.3',
          },
        ]
      : []),
    { step: 'Score', points: pts(risk.score), color: 'blue.6', standalone: true },
  ];
  return (
    <Stack gap="md">
      <div
        role="img"
        aria-label={`Waterfall: baseline ${pts(baseline)}, ${shown.map((f) => `${f.label} ${signed(f.contribution)}`).join(', ')}, score ${pts(risk.score)}`}
      >
        <BarChart
          h={220}
          data={data}
          dataKey="step"
          type="waterfall"
          series={[{ name: 'points', color: 'orange.6', label: 'Points' }]}
          withLegend={false}
          tickLine="y"
          withXAxis={false}
          yAxisProps={{ domain: [0, 100] }}
        />
      </div>
      <Text size="xs" c="dimmed" mt={-8}>
        From the baseline (grey) through each factor, in the order of the table below (orange adds
        risk, green lowers it; factors under a point are grouped), to the score (blue). Hover a bar
        for its factor.
      </Text>
      <Table aria-label="Risk factors" verticalSpacing={6}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Factor</Table.Th>
            <Table.Th ta="right">Points</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          <Table.Tr>
            <Table.Td>
              <Text size="sm" c="dimmed">
                Baseline (a customer with nothing wrong)
              </Text>
            </Table.Td>
            <Table.Td ta="right" data-points={pts(baseline)}>
              {pts(baseline)}
            </Table.Td>
          </Table.Tr>
          {risk.factors.map((f) => (
            <Table.Tr key={f.name} data-factor={f.name}>
              <Table.Td>
                {f.evidence.length > 0 ? (
                  <Button
                    variant="subtle"
                    size="compact-sm"
                    px={4}
                    onClick={() => setOpen(f)}
                    aria-label={`${f.label}: show the ${f.evidence.length} ${f.evidence[0].kind === 'survey' ? 'survey answers' : f.evidence[0].kind === 'message' ? 'messages' : 'tickets'} behind it`}
                  >
                    {f.label}
                  </Button>
                ) : (
                  <Text size="sm" px={4}>
                    {f.label}
                  </Text>
                )}
              </Table.Td>
              <Table.Td
                ta="right"
                data-points={f.contribution}
                c={
                  f.contribution > 0
                    ? RISE_COLOR
                    : f.contribution < 0
                      ? 'light-dark(var(--mantine-color-teal-9), var(--mantine-color-teal-4))'
                      : 'dimmed'
                }
              >
                {signed(f.contribution)}
              </Table.Td>
            </Table.Tr>
          ))}
          <Table.Tr>
            <Table.Td fw={700}>Score</Table.Td>
            <Table.Td ta="right" fw={700} data-score={risk.score}>
              {pts(risk.score)}
            </Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      <Modal
        opened={open !== null}
        onClose={() => setOpen(null)}
        title={open ? `Evidence: ${open.label}` : ''}
        size="lg"
        centered
      >
        {open && (
          <List spacing="xs" aria-label={`Evidence for ${open.label}`}>
            {open.evidence.map((e) => (
              <List.Item key={`${e.kind}-${e.id}`}>
                {e.ticketId ? (
                  <Anchor c={LINK_COLOR} component={Link} to={`/tickets/${e.ticketId}`}>
                    {e.detail}
                  </Anchor>
                ) : (
                  <Text span>{e.detail}</Text>
                )}{' '}
                <Text span size="xs" c="dimmed">
                  {e.kind}
                  {e.at ? ` · ${formatDateTime(e.at)}` : ''}
                </Text>
              </List.Item>
            ))}
          </List>
        )}
      </Modal>
    </Stack>
  );
}
