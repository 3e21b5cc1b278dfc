import { DEFAULT_SLA, PRIORITIES, type Priority, type TeamKey } from './catalog';
import { monthsBefore, type SlaPolicy, type Staff, type StaffMember, type World } from './model';
import { staffSeats } from './staff';

/**
 * A world to simulate in memory, without a database: the demo staff with made-up ids and the
 * default SLA targets. For unit tests of the simulation's rules.
 */
export function testWorld(
  options: { customers: number; tickets: number; months?: number; seed?: number },
  now = Date.UTC(2026, 10, 30, 12),
): World {
  const all: StaffMember[] = staffSeats().map((s, i) => ({ ...s, id: i + 1 }));
  const teams: TeamKey[] = ['tier1', 'billing', 'technical'];
  const staff: Staff = {
    teamIds: { tier1: 1, billing: 2, technical: 3 },
    leads: Object.fromEntries(
      teams.map((t) => [t, all.find((u) => u.role === 'team_lead' && u.team === t)!]),
    ) as Record<TeamKey, StaffMember>,
    agents: Object.fromEntries(
      teams.map((t) => [t, all.filter((u) => u.role === 'agent' && u.team === t)]),
    ) as Record<TeamKey, StaffMember[]>,
    accountManagers: all.filter((u) => u.role === 'account_manager'),
    all,
  };
  const sla = Object.fromEntries(
    PRIORITIES.map((p, i) => [
      p,
      {
        id: i + 1,
        firstResponseMinutes: DEFAULT_SLA[p].firstResponse,
        resolutionMinutes: DEFAULT_SLA[p].resolution,
      },
    ]),
  ) as Record<Priority, SlaPolicy>;
  const months = options.months ?? 12;
  return {
    options: {
      customers: options.customers,
      tickets: options.tickets,
      months,
      seed: options.seed ?? 42,
      force: false,
    },
    now,
    ticketsFrom: monthsBefore(now, months),
    customersFrom: monthsBefore(now, Math.max(36, months + 1)),
    staff,
    sla,
  };
}
