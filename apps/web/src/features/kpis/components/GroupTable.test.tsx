import { MantineProvider } from '@mantine/core';
import { fireEvent, render, screen } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import type { KpiTableQuery } from '@/gql/graphql';
import type { DrillTarget } from './DrillDrawer';
import { GroupTable, groupOf } from './GroupTable';

type Row = KpiTableQuery['supportKpis']['rows'][number];

const dur = (median: number | null) => ({
  __typename: 'DurationStats' as const,
  count: median == null ? 0 : 3,
  medianHours: median,
  p90Hours: median == null ? null : median * 2,
});
const sla = (due: number, met: number) => ({
  __typename: 'SlaStats' as const,
  due,
  met,
  compliancePercent: due ? (met / due) * 100 : null,
});
const row = (id: string, name: string, backlog: number, frt: number | null): Row =>
  ({
    __typename: 'KpiRow',
    agentId: null,
    agent: null,
    teamId: id,
    team: { __typename: 'Team', id, name },
    channel: null,
    priority: null,
    tier: null,
    segment: null,
    customValue: null,
    periodStart: '2025-12-01T00:00:00Z',
    periodEnd: '2025-12-08T00:00:00Z',
    source: 'cells',
    hoursBasis: 'calendar',
    ticketsCreated: 4,
    ticketsSolved: 2,
    firstResponseTime: dur(frt),
    resolutionTime: dur(24),
    slaFirstResponse: sla(4, 2),
    slaResolution: sla(2, 1),
    reopenedTickets: 0,
    reopenRatePercent: 0,
    oneTouchTickets: 1,
    oneTouchPercent: 50,
    backlogAtEnd: backlog,
    csatRatings: 2,
    csatPercent: 50,
    csatRevenueWeightedPercent: null,
    surveysSent: 2,
    surveysResponded: 2,
    csatResponseRatePercent: 100,
  }) as Row;

function renderTable(onDrill = vi.fn()) {
  render(
    <MantineProvider>
      <GroupTable
        rows={[row('1', 'Billing', 5, 0.5), row('2', 'Accounts', 9, null), row('3', 'Cloud', 1, 2)]}
        by="team"
        onBy={() => undefined}
        filter={{ from: '2025-12-01T00:00:00Z', to: '2025-12-08T00:00:00Z' }}
        periodText="1 Dec 2025 – 7 Dec 2025"
        exportHref="/exports/kpis.csv"
        loading={false}
        onDrill={onDrill}
      />
    </MantineProvider>,
  );
  return onDrill;
}

// (text queries: role queries over a 45-button table are slow in jsdom)
const order = () =>
  [...document.querySelectorAll('tbody th[scope="row"]')].map((c) => c.textContent);
const header = (label: string) => screen.getByText(label, { selector: 'button' });

describe('KPI table by group', () => {
  it('sorts by name, then by a column (numbers first, then empty values), both ways', () => {
    renderTable();
    expect(order()).toEqual(['Accounts', 'Billing', 'Cloud']);
    fireEvent.click(header('Backlog'));
    expect(order()).toEqual(['Accounts', 'Billing', 'Cloud']); // numbers sort descending first
    expect(header('Backlog').closest('th')!.getAttribute('aria-sort')).toBe('descending');
    fireEvent.click(header('Backlog'));
    expect(order()).toEqual(['Cloud', 'Billing', 'Accounts']);
    fireEvent.click(header('First resp. median'));
    expect(order()).toEqual(['Cloud', 'Billing', 'Accounts']); // no reply: last
  });

  it('a cell opens the tickets behind it with the group as a filter', () => {
    const onDrill = renderTable();
    fireEvent.click(screen.getByLabelText('Billing, Tickets solved: 2. Open the list behind it'));
    const target = onDrill.mock.calls[0][0] as DrillTarget;
    expect(target.filter).toEqual({
      from: '2025-12-01T00:00:00Z',
      to: '2025-12-08T00:00:00Z',
      teamIds: ['1'],
    });
    expect(target.options.map((o) => o.metric)).toEqual(['tickets_solved']);
  });

  it('a group without a value opens too, selected by filter.noValue', () => {
    expect(groupOf(row('', 'x', 0, null), 'agent')).toEqual({
      name: 'Unassigned',
      filter: { noValue: ['agent'] },
    });
    expect(groupOf(row('', 'x', 0, null), 'team')).toEqual({
      name: 'No team',
      filter: { noValue: ['team'] },
    });
    expect(groupOf(row('', 'x', 0, null), 'segment').filter).toEqual({ noValue: ['segment'] });
  });

  it('names the groups of a ticket custom field (checkboxes as Yes / No); they do not drill', () => {
    const withValue = (customValue: string | null) => ({ ...row('', 'x', 0, null), customValue });
    expect(groupOf(withValue('gold'), 'custom.plan')).toEqual({ name: 'gold', filter: null });
    expect(groupOf(withValue('true'), 'custom.vip').name).toBe('Yes');
    expect(groupOf(withValue('false'), 'custom.vip').name).toBe('No');
    expect(groupOf(withValue(null), 'custom.vip').name).toBe('No value');
  });
});
