import { useQuery } from '@apollo/client/react';
import { LineChart } from '@mantine/charts';
import {
  Alert,
  Anchor,
  Badge,
  Button,
  Grid,
  Group,
  Loader,
  Center,
  Paper,
  SimpleGrid,
  Stack,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { useEffect, useState, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { LINK_COLOR, RISE_COLOR } from '@/components/link-color';
import { useSession } from '@/app/session';
import { ProblemPage } from '@/components/ProblemPage';
import { RiskBadge } from '@/components/badges';
import { RiskActionModal, type RiskAction } from '@/features/risk';
import { CustomerFollowUpsDocument, CustomerPageDocument } from '@/gql/graphql';
import { apiProblem } from '@/lib/errors';
import { formatDateTime, formatMoney, humanize } from '@/lib/format';
import { CustomerTimeline } from '../components/CustomerTimeline';
import { RiskWaterfall } from '../components/RiskWaterfall';

const dateOnly = (iso: string) =>
  new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });

/** One customer for its account manager: profile, value, risk and why, history, follow-ups. */
export function CustomerRoute() {
  const { id = '' } = useParams();
  const [action, setAction] = useState<RiskAction | null>(null);
  const { user } = useSession();
  const mayAct = user?.role === 'account_manager' || user?.role === 'admin';
  const { data, error } = useQuery(CustomerPageDocument, { variables: { id } });
  const followUps = useQuery(CustomerFollowUpsDocument, { variables: { customerId: id } });
  const c = data?.customer;
  useEffect(() => {
    if (c) document.title = `${c.name} · Staydesk`;
  }, [c]);

  const problem = apiProblem(error);
  if (!c) {
    if (problem && (problem.code === 'NOT_FOUND' || problem.code === 'BAD_USER_INPUT'))
      return <ProblemPage code="NOT_FOUND" />;
    if (problem)
      return <ProblemPage code={problem.code === 'FORBIDDEN' ? 'FORBIDDEN' : 'INTERNAL'} />;
    return (
      <Center mih={300}>
        <Loader aria-label="Loading customer" />
      </Center>
    );
  }
  const ltv = c.lifetimeValue;
  const risk = c.risk;
  const history = [
    ...c.riskHistory.map((h) => ({ date: dateOnly(h.computedAt), score: Math.round(h.score) })),
    ...(risk ? [{ date: 'Now', score: Math.round(risk.score) }] : []),
  ];

  return (
    <Stack gap="md" p={{ base: 'sm', sm: 'lg' }}>
      <Group justify="space-between" align="flex-start">
        <Stack gap={4}>
          {mayAct && (
            <Anchor c={LINK_COLOR} component={Link} to="/risk" size="sm">
              ← Risk list
            </Anchor>
          )}
          <Group gap="sm" align="center">
            <Title order={1} size="h2">
              {c.name}
            </Title>
            <Badge variant="outline">{humanize(c.tier)}</Badge>
            {c.status === 'churned' && <Badge color="gray">Churned</Badge>}
            {risk && <RiskBadge band={risk.band} score={risk.score} />}
          </Group>
          {c.domain && (
            <Text size="sm" c="dimmed">
              {c.domain}
            </Text>
          )}
        </Stack>
        <Group gap="xs" display={mayAct ? undefined : 'none'}>
          <Button variant="light" onClick={() => setAction('outreach')}>
            Log outreach
          </Button>
          <Button variant="default" onClick={() => setAction('snooze')}>
            Snooze
          </Button>
          <Button variant="default" onClick={() => setAction('retained')}>
            Mark retained
          </Button>
          <Button variant="default" color="red" onClick={() => setAction('churned')}>
            Mark churned
          </Button>
        </Group>
      </Group>
      <RiskActionModal
        action={action}
        customerId={c.id}
        customerName={c.name}
        onClose={() => setAction(null)}
      />

      <Grid gap="md">
        <Grid.Col span={{ base: 12, lg: 4 }}>
          <Stack gap="md">
            <Panel id="profile-h" title="Profile">
              <SimpleGrid cols={2} spacing="sm">
                <Fact label="Tier" value={humanize(c.tier)} />
                <Fact label="MRR" value={formatMoney(c.mrr)} />
                <Fact label="Account manager" value={c.accountManager?.name ?? 'None'} />
                <Fact label="Customer since" value={dateOnly(c.customerSince)} />
                <Fact label="Renewal" value={c.renewalDate ?? 'Not set'} />
                <Fact label="Open tickets" value={String(c.openTicketCount)} />
                <Fact
                  label="Lifetime value to date"
                  value={ltv?.toDate == null ? 'Unknown' : formatMoney(ltv.toDate)}
                  hint={
                    ltv?.toDate == null
                      ? 'No MRR known for part of the paying time, so it is not guessed.'
                      : `MRR × ${ltv.monthsAsCustomer.toFixed(1)} months as a customer`
                  }
                />
                <Fact
                  label="Expected lifetime value"
                  value={ltv?.expected == null ? 'Unknown' : formatMoney(ltv.expected)}
                  hint={ltv ? ltv.basisDetail : 'Not computed yet.'}
                />
                <Fact
                  label="Value segment"
                  value={ltv?.segment ? humanize(ltv.segment) : 'Unknown'}
                />
                <Fact
                  label="Basis of expected value"
                  value={ltv ? humanize(ltv.basis) : 'Not computed'}
                />
              </SimpleGrid>
            </Panel>
            <Panel id="contacts-h" title="Contacts">
              <Stack gap={6}>
                {c.contacts.map((p) => (
                  <div key={p.id}>
                    <Text size="sm" fw={500}>
                      {p.name}
                      {p.emailBouncingAt && (
                        <Badge ml={6} size="xs" color="red" variant="light">
                          bouncing
                        </Badge>
                      )}
                    </Text>
                    <Anchor c={LINK_COLOR} href={`mailto:${p.email}`} size="sm">
                      {p.email}
                    </Anchor>
                    {p.phone && (
                      <Text size="sm" c="dimmed">
                        {p.phone}
                      </Text>
                    )}
                  </div>
                ))}
                {c.contacts.length === 0 && (
                  <Text size="sm" c="dimmed">
                    No contacts.
                  </Text>
                )}
              </Stack>
            </Panel>
            <Panel id="fu-h" title="Open follow-ups">
              <Stack gap={8}>
                {(followUps.data?.followUps.edges ?? []).map(({ node: f }) => (
                  <div key={f.id}>
                    <Group gap={6}>
                      <Text size="sm" fw={500}>
                        {humanize(f.kind)}
                      </Text>
                      <Badge size="xs" color={f.overdue ? 'red' : 'blue'} variant="light">
                        {f.overdue ? 'overdue' : `due ${dateOnly(f.dueAt)}`}
                      </Badge>
                    </Group>
                    {f.note && (
                      <Text size="sm" c="dimmed" lineClamp={2}>
                        {f.note}
                      </Text>
                    )}
                    <Text size="xs" c="dimmed">
                      {f.owner.name}
                      {f.ticketId && (
                        <>
                          {' · '}
                          <Anchor
                            c={LINK_COLOR}
                            component={Link}
                            to={`/tickets/${f.ticketId}`}
                            size="xs"
                            underline="always"
                          >
                            ticket
                          </Anchor>
                        </>
                      )}
                    </Text>
                  </div>
                ))}
                {followUps.data && followUps.data.followUps.edges.length === 0 && (
                  <Text size="sm" c="dimmed">
                    None open.
                  </Text>
                )}
              </Stack>
            </Panel>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Stack gap="md">
            <Paper withBorder p="md" radius="md" component="section" aria-labelledby="risk-h">
              <Group justify="space-between" mb="xs">
                <Title order={2} size="h4" id="risk-h">
                  Churn risk
                </Title>
                {risk && (
                  <Text size="xs" c="dimmed">
                    Scored {formatDateTime(risk.computedAt)} · model {risk.modelVersion}
                  </Text>
                )}
              </Group>
              {risk ? (
                <Stack gap="sm">
                  <Group gap="lg">
                    <Text size="xl" fw={700}>
                      {Math.round(risk.score)} / 100
                    </Text>
                    <RiskBadge band={risk.band} />
                    {risk.trend != null && (
                      <Text size="sm" c={risk.trend > 0 ? RISE_COLOR : 'dimmed'}>
                        {risk.trend > 0 ? '+' : risk.trend < 0 ? '−' : '±'}
                        {Math.abs(Math.round(risk.trend))} in 30 days
                      </Text>
                    )}
                    {risk.churnProbability != null && risk.probabilityHorizonDays != null && (
                      <Badge size="lg" variant="light" color="red">
                        {Math.round(risk.churnProbability * 100)} % chance of churn in{' '}
                        {risk.probabilityHorizonDays} days
                      </Badge>
                    )}
                  </Group>
                  {risk.churnProbability == null && (
                    <Text size="xs" c="dimmed">
                      The score is a risk index (default weights), not a probability; a chance of
                      churn is shown once a fitted model is active.
                    </Text>
                  )}
                  <RiskWaterfall risk={risk} />
                </Stack>
              ) : (
                <Text c="dimmed">Not scored yet.</Text>
              )}
            </Paper>
            <Panel id="hist-h" title="Score history (180 days)">
              {history.length > 1 ? (
                <div
                  role="img"
                  aria-label={`Score history: ${history.map((h) => `${h.date} ${h.score}`).join(', ')}`}
                >
                  <LineChart
                    h={200}
                    data={history}
                    dataKey="date"
                    series={[{ name: 'score', color: 'orange.6', label: 'Score' }]}
                    curveType="stepAfter"
                    yAxisProps={{ domain: [0, 100] }}
                    withDots
                  />
                </div>
              ) : (
                <Text size="sm" c="dimmed">
                  No earlier scores recorded.
                </Text>
              )}
            </Panel>
            <Panel id="tl-h" title="Timeline">
              <CustomerTimeline customerId={c.id} />
            </Panel>
          </Stack>
        </Grid.Col>
      </Grid>
      {problem && (
        <Alert color="red" role="alert">
          {problem.message}
        </Alert>
      )}
    </Stack>
  );
}

function Fact({ label, value, hint }: { label: string; value: string; hint?: string }) {
  const body = (
    <Text size="sm" fw={500}>
      {value}
    </Text>
  );
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      {hint ? (
        <Tooltip label={hint} multiline w={260} withArrow>
          <Text size="sm" fw={500} tabIndex={0} style={{ textDecoration: 'underline dotted' }}>
            {value}
          </Text>
        </Tooltip>
      ) : (
        body
      )}
    </div>
  );
}

/** A titled panel of the page: a section named by its heading (`id` ties the two). */
function Panel({ id, title, children }: { id: string; title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md" radius="md" component="section" aria-labelledby={id}>
      <Title order={2} size="h4" id={id} mb="sm">
        {title}
      </Title>
      {children}
    </Paper>
  );
}
