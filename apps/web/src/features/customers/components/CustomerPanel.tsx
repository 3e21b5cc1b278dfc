import { useQuery } from '@apollo/client/react';
import {
  Anchor,
  Badge,
  Group,
  List,
  Paper,
  Progress,
  SimpleGrid,
  Skeleton,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { Link } from 'react-router';
import { RiskBadge } from '@/components/badges';
import { CustomerPanelDocument } from '@/gql/graphql';
import { formatDateTime, formatMoney, humanize } from '@/lib/format';

/** The customer beside a ticket: who they are, what they pay, how they feel, how at risk they are. */
export function CustomerPanel({ customerId }: { customerId: string }) {
  const { data, loading } = useQuery(CustomerPanelDocument, { variables: { id: customerId } });
  const c = data?.customer;
  if (!c) return <Skeleton h={240} radius="md" visible={loading} />;
  const csat = c.surveys.find((s) => s.kind === 'csat' && s.score != null);
  const factors = (c.risk?.factors ?? [])
    .filter((f) => f.contribution > 0 && f.name !== 'no_ticket_history')
    .slice(0, 3);
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-label="Customer">
      <Stack gap="sm">
        <Group justify="space-between" wrap="nowrap">
          <Title order={2} size="h5">
            <Anchor
              component={Link}
              to={`/customers/${c.id}`}
              inherit
              c="var(--mantine-color-text)"
            >
              {c.name}
            </Anchor>
          </Title>
          <Badge variant="outline" style={{ flexShrink: 0, minWidth: 'max-content' }}>
            {humanize(c.tier)}
          </Badge>
        </Group>
        <SimpleGrid cols={2} spacing="xs">
          {/* a customer made from an inbound mail has no revenue recorded: "—", not "$0" */}
          <Fact label="MRR" value={c.mrr > 0 ? formatMoney(c.mrr) : '—'} />
          <Fact label="Account manager" value={c.accountManager?.name ?? 'None'} />
          <Fact
            label="Last CSAT"
            value={
              csat
                ? `${csat.score} / 5 (${formatDateTime(csat.respondedAt ?? '')})`
                : 'No answer yet'
            }
          />
          <Fact label="Status" value={humanize(c.status)} />
        </SimpleGrid>
        {c.risk ? (
          <Stack gap={6}>
            <Group justify="space-between">
              <Text size="sm" fw={600}>
                Churn risk
              </Text>
              <RiskBadge band={c.risk.band} score={c.risk.score} />
            </Group>
            <Progress
              value={c.risk.score}
              color={
                c.risk.band === 'critical'
                  ? 'red'
                  : c.risk.band === 'high'
                    ? 'orange'
                    : c.risk.band === 'medium'
                      ? 'yellow'
                      : 'teal'
              }
              aria-label={`Churn risk score ${Math.round(c.risk.score)} of 100`}
            />
            {factors.length > 0 ? (
              <List size="sm" spacing={2}>
                {factors.map((f) => (
                  <List.Item key={f.name}>
                    {f.label}{' '}
                    <Text span c="dimmed" size="xs">
                      (+{f.contribution.toFixed(1)})
                    </Text>
                  </List.Item>
                ))}
              </List>
            ) : (
              <Text size="sm" c="dimmed">
                Nothing is pushing the risk up.
              </Text>
            )}
          </Stack>
        ) : (
          <Text size="sm" c="dimmed">
            Churn risk not scored yet.
          </Text>
        )}
        <div>
          <Text size="sm" fw={600} mb={4}>
            Contacts
          </Text>
          <Stack gap={2}>
            {c.contacts.slice(0, 5).map((p) => (
              <Text size="sm" key={p.id} lineClamp={1}>
                {/* a sender known only by address is named by it: show the address once */}
                {p.name.toLowerCase() !== p.email.toLowerCase() && <>{p.name} </>}
                <Anchor href={`mailto:${p.email}`} size="sm" c="dimmed">
                  {p.email}
                </Anchor>
              </Text>
            ))}
            {c.contacts.length > 5 && (
              <Text size="xs" c="dimmed">
                and {c.contacts.length - 5} more
              </Text>
            )}
          </Stack>
        </div>
      </Stack>
    </Paper>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" fw={500}>
        {value}
      </Text>
    </div>
  );
}
