import {
  DEFAULT_SLA,
  FIRST_NAMES,
  LAST_NAMES,
  PRIORITIES,
  TEAM_DEFS,
  type Priority,
  type Role,
  type TeamKey,
  STAFF_NAMES,
} from './catalog';
import { EMAIL_DOMAIN, iso, slug, type SlaPolicy, type Staff, type StaffMember } from './model';
import { insertRows, type Db } from './rows';

export async function ensureSlaPolicies(db: Db): Promise<Record<Priority, SlaPolicy>> {
  const general = `active AND channel IS NULL AND tier IS NULL`;
  const existing = await db.query<{ priority: Priority }>(
    `SELECT priority FROM sla_policies WHERE ${general}`,
  );
  const missing = PRIORITIES.filter((p) => !existing.rows.some((r) => r.priority === p));
  await insertRows(
    db,
    'sla_policies',
    [
      { name: 'name', type: 'text', value: (p: Priority) => `Default ${p}` },
      { name: 'priority', type: 'text', value: (p) => p },
      { name: 'first_response_minutes', type: 'int', value: (p) => DEFAULT_SLA[p].firstResponse },
      { name: 'resolution_minutes', type: 'int', value: (p) => DEFAULT_SLA[p].resolution },
      { name: 'business_hours', type: 'boolean', value: () => false },
    ],
    missing,
  );
  const { rows } = await db.query<{
    id: string;
    priority: Priority;
    first_response_minutes: number;
    resolution_minutes: number;
  }>(
    `SELECT id, priority, first_response_minutes, resolution_minutes FROM sla_policies WHERE ${general}`,
  );
  const byPriority = {} as Record<Priority, SlaPolicy>;
  for (const r of rows) {
    byPriority[r.priority] = {
      id: Number(r.id),
      firstResponseMinutes: r.first_response_minutes,
      resolutionMinutes: r.resolution_minutes,
    };
  }
  return byPriority;
}

export interface StaffSeat {
  email: string;
  name: string;
  role: Role;
  team: TeamKey | null;
}

/**
 * Who works here: an admin, a lead and agents per team, and account managers. `scale`
 * multiplies the agents and account managers (the data generator staffs big worlds).
 */
export function staffSeats(scale = 1): StaffSeat[] {
  const names = [...STAFF_NAMES];
  let extra = 0;
  const nextName = () => {
    const n = extra++;
    return `${FIRST_NAMES[n % FIRST_NAMES.length]} ${LAST_NAMES[Math.floor(n / FIRST_NAMES.length) % LAST_NAMES.length]}`;
  };
  const seat = (email: string, role: Role, team: TeamKey | null): StaffSeat => ({
    email: `${email}@${EMAIL_DOMAIN}`,
    name: names.shift() ?? nextName(),
    role,
    team,
  });
  const seats: StaffSeat[] = [seat('admin', 'admin', null)];
  for (const t of TEAM_DEFS) seats.push(seat(`lead.${slug(t.key)}`, 'team_lead', t.key));
  let agent = 0;
  for (const t of TEAM_DEFS) {
    for (let i = 0; i < t.agents * scale; i++) {
      seats.push(seat(`agent${++agent}`, 'agent', t.key));
    }
  }
  for (let i = 1; i <= 3 * scale; i++) seats.push(seat(`am${i}`, 'account_manager', null));
  return seats;
}

export async function insertStaff(
  db: Db,
  passwordHash: string,
  since: number,
  scale = 1,
): Promise<Staff> {
  const teams = await db.query<{ id: string; name: string }>(
    // eslint-disable-next-line staydesk/own-tables -- the simulated world is generated, not served: the generator writes every table
    `INSERT INTO teams (name, timezone, business_hours, created_at, updated_at)
     SELECT name, tz, hours, $4, $4 FROM unnest($1::text[], $2::text[], $3::jsonb[]) AS u(name, tz, hours)
     RETURNING id, name`,
    [
      TEAM_DEFS.map((t) => t.name),
      TEAM_DEFS.map((t) => t.timezone),
      TEAM_DEFS.map((t) => (t.businessHours ? JSON.stringify(t.businessHours) : null)),
      iso(since),
    ],
  );
  const teamIds = {} as Record<TeamKey, number>;
  for (const t of TEAM_DEFS) teamIds[t.key] = Number(teams.rows.find((r) => r.name === t.name)!.id);

  const seats = staffSeats(scale);
  const users = await db.query<{ id: string; email: string }>(
    // eslint-disable-next-line staydesk/own-tables -- the simulated world is generated, not served: the generator writes every table
    `INSERT INTO users (email, name, password_hash, role, team_id, created_at, updated_at)
     SELECT email, name, $5, role, team_id, $6, $6
     FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS u(email, name, role, team_id)
     RETURNING id, email`,
    [
      seats.map((s) => s.email),
      seats.map((s) => s.name),
      seats.map((s) => s.role),
      seats.map((s) => (s.team ? teamIds[s.team] : null)),
      passwordHash,
      iso(since),
    ],
  );
  const all: StaffMember[] = seats.map((s) => ({
    ...s,
    id: Number(users.rows.find((r) => r.email === s.email)!.id),
  }));
  const staff: Staff = {
    teamIds,
    leads: {} as Record<TeamKey, StaffMember>,
    agents: { tier1: [], billing: [], technical: [] },
    accountManagers: all.filter((u) => u.role === 'account_manager'),
    all,
  };
  for (const u of all) {
    if (u.role === 'team_lead') staff.leads[u.team!] = u;
    if (u.role === 'agent') staff.agents[u.team!].push(u);
  }
  await db.query(
    // eslint-disable-next-line staydesk/own-tables -- the simulated world is generated, not served: the generator writes every table
    `UPDATE teams SET lead_id = u.lead_id FROM unnest($1::bigint[], $2::bigint[]) AS u(team_id, lead_id)
     WHERE teams.id = u.team_id`,
    [TEAM_DEFS.map((t) => teamIds[t.key]), TEAM_DEFS.map((t) => staff.leads[t.key].id)],
  );
  return staff;
}
