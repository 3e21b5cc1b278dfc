import { KpisService } from '@staydesk/kpis';
import { RiskService } from '@staydesk/risk';
import {
  fails,
  insertAnsweredCsat,
  insertSlaTicket,
  insertUser,
  login,
  ok,
} from '../support/factories';
import { TestStack, startStack } from '../support/stack';

/*
 * Issue 17 (API): drill-down from a KPI figure to its tickets, risk factor evidence, survey
 * answers in the timeline, updateSlaPolicy. A hand-built December 2025 for two teams:
 *   T1 Billing  created 12-02 10:00, replied 10:30 (due 11:00: met), solved 12-03 (due 12-04: met), CSAT 5
 *   T2 Billing  created 12-02 12:00, replied 15:00 (due 13:00: breached), solved 12-10 (due 12-05: breached), CSAT 2
 *   T3 Billing  created 12-03 09:00, no reply (due 10:00: breached), open
 *   T4 Billing  created 12-04 09:00, due 2099: not due yet, open
 *   T5 Support  created 12-05 09:00, replied 09:05 (due 10:00: met), solved 12-05 10:00, CSAT 4
 * CES answers (1–7) come with the CSAT of T1 (6) and T5 (3); T2's CSAT has none. T1 is assigned
 * to agent Ada, the others to nobody.
 */
describe('support drill-down and evidence (issue 17 API)', () => {
  let stack: TestStack;
  let admin: string;
  let lead: string;
  const ids: Record<string, string> = {};

  const ticket = (t: {
    team: string;
    created: string;
    replied?: string;
    frDue: string;
    solved?: string;
    resDue: string;
  }) =>
    insertSlaTicket(stack, {
      ...t,
      customerId: ids.customer,
      requesterId: ids.contact,
      teamId: t.team,
    });
  const csat = (ticketId: string, score: number, at: string) =>
    insertAnsweredCsat(stack, {
      ticketId,
      contactId: ids.contact,
      customerId: ids.customer,
      at,
      score,
      comment: 'thanks',
    });

  beforeAll(async () => {
    stack = await startStack({ env: { OUTBOX_RELAY: 'false' } });
    await insertUser(stack, { email: 'admin@d.local', role: 'admin' });
    admin = await login(stack, 'admin@d.local');
    const team = async (name: string) =>
      (
        await stack.db.query<{ id: string }>(
          `INSERT INTO teams (name) VALUES ($1) RETURNING id::text`,
          [name],
        )
      ).rows[0].id;
    ids.billing = await team('Billing');
    ids.support = await team('Support');
    ids.lead = await insertUser(stack, {
      email: 'lead@d.local',
      role: 'team_lead',
      teamId: ids.billing,
    });
    lead = await login(stack, 'lead@d.local');
    ids.customer = (
      await stack.db.query<{ id: string }>(
        `INSERT INTO customers (name, mrr, customer_since) VALUES ('Acme', 100, '2025-01-01') RETURNING id::text`,
      )
    ).rows[0].id;
    ids.contact = (
      await stack.db.query<{ id: string }>(
        `INSERT INTO contacts (customer_id, name, email) VALUES ($1, 'Ann', 'ann@acme.example') RETURNING id::text`,
        [ids.customer],
      )
    ).rows[0].id;
    ids.t1 = await ticket({
      team: ids.billing,
      created: '2025-12-02T10:00:00Z',
      replied: '2025-12-02T10:30:00Z',
      frDue: '2025-12-02T11:00:00Z',
      solved: '2025-12-03T10:00:00Z',
      resDue: '2025-12-04T10:00:00Z',
    });
    ids.t2 = await ticket({
      team: ids.billing,
      created: '2025-12-02T12:00:00Z',
      replied: '2025-12-02T15:00:00Z',
      frDue: '2025-12-02T13:00:00Z',
      solved: '2025-12-10T10:00:00Z',
      resDue: '2025-12-05T10:00:00Z',
    });
    ids.t3 = await ticket({
      team: ids.billing,
      created: '2025-12-03T09:00:00Z',
      frDue: '2025-12-03T10:00:00Z',
      resDue: '2025-12-06T10:00:00Z',
    });
    ids.t4 = await ticket({
      team: ids.billing,
      created: '2025-12-04T09:00:00Z',
      frDue: '2099-01-01T00:00:00Z',
      resDue: '2099-01-01T00:00:00Z',
    });
    ids.t5 = await ticket({
      team: ids.support,
      created: '2025-12-05T09:00:00Z',
      replied: '2025-12-05T09:05:00Z',
      frDue: '2025-12-05T10:00:00Z',
      solved: '2025-12-05T10:00:00Z',
      resDue: '2025-12-06T10:00:00Z',
    });
    ids.s1 = await csat(ids.t1, 5, '2025-12-04T10:00:00Z');
    ids.s2 = await csat(ids.t2, 2, '2025-12-11T10:00:00Z');
    ids.s5 = await csat(ids.t5, 4, '2025-12-06T10:00:00Z');
    await stack.db.query(`UPDATE surveys SET ces_score = 6 WHERE id = $1`, [ids.s1]);
    await stack.db.query(`UPDATE surveys SET ces_score = 3 WHERE id = $1`, [ids.s5]);
    ids.ada = await insertUser(stack, { email: 'ada@d.local', role: 'agent', teamId: ids.billing });
    await stack.db.query(`UPDATE tickets SET assignee_id = $1 WHERE id = $2`, [ids.ada, ids.t1]);
    await stack.worker!.get(KpisService).rebuild();
  });

  afterAll(async () => {
    await stack?.close();
  });

  const DEC = { from: '2025-12-01T00:00:00Z', to: '2026-01-01T00:00:00Z' };
  const FIGURES = `query($f: KpiFilter!) { supportKpis(filter: $f) { rows {
    ticketsCreated ticketsSolved firstResponseTime { count } resolutionTime { count }
    slaFirstResponse { due met } slaResolution { due met } backlogAtEnd csatRatings surveysSent surveysResponded } } }`;
  const DRILL = `query($f: KpiFilter!, $m: KpiMetric!, $o: KpiDrillOrder, $first: Int, $after: String) {
    supportKpiTickets(filter: $f, metric: $m, orderBy: $o, first: $first, after: $after) {
      totalCount edges { node { ticketId surveyId at value ticket { id subject } } } pageInfo { hasNextPage endCursor } } }`;

  async function drillAll(token: string, f: object, metric: string, order = 'recent') {
    const nodes: any[] = [];
    let after: string | null = null;
    let total = -1;
    do {
      const page: any = (await ok(stack, token, DRILL, { f, m: metric, o: order, first: 2, after }))
        .supportKpiTickets;
      total = page.totalCount;
      nodes.push(...page.edges.map((e: any) => e.node));
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    return { total, nodes };
  }

  it('each drill-down list has as many rows as its figure (several metrics, two scopes)', async () => {
    for (const f of [DEC, { ...DEC, teamIds: [ids.billing] }]) {
      const row = (await ok(stack, admin, FIGURES, { f })).supportKpis.rows[0];
      const figures: Record<string, number> = {
        tickets_created: row.ticketsCreated,
        tickets_solved: row.ticketsSolved,
        first_response: row.firstResponseTime.count,
        resolution: row.resolutionTime.count,
        sla_first_response_due: row.slaFirstResponse.due,
        sla_first_response_met: row.slaFirstResponse.met,
        sla_first_response_breached: row.slaFirstResponse.due - row.slaFirstResponse.met,
        sla_resolution_due: row.slaResolution.due,
        sla_resolution_breached: row.slaResolution.due - row.slaResolution.met,
        backlog: row.backlogAtEnd,
        csat_ratings: row.csatRatings,
        surveys_sent: row.surveysSent,
        surveys_responded: row.surveysResponded,
      };
      for (const [metric, figure] of Object.entries(figures)) {
        const { total, nodes } = await drillAll(admin, f, metric);
        expect({ metric, total, listed: nodes.length }).toEqual({
          metric,
          total: figure,
          listed: figure,
        });
        expect(new Set(nodes.map((n) => n.surveyId ?? n.ticketId)).size).toBe(figure);
      }
    }
    // and by hand: Billing breached first response on T2 and T3
    const breached = await drillAll(
      admin,
      { ...DEC, teamIds: [ids.billing] },
      'sla_first_response_breached',
    );
    expect(breached.nodes.map((n) => n.ticketId).sort()).toEqual([ids.t2, ids.t3].sort());
    expect(breached.nodes[0].ticket).toEqual({ id: expect.any(String), subject: 'help' });
  });

  it('orders by value: the slowest first responses first; ratings carry their score', async () => {
    const frt = await drillAll(admin, DEC, 'first_response', 'value_desc');
    expect(frt.nodes.map((n) => [n.ticketId, n.value])).toEqual([
      [ids.t2, 3 * 3600],
      [ids.t1, 30 * 60],
      [ids.t5, 5 * 60],
    ]);
    const bad = await drillAll(admin, DEC, 'csat_bad');
    expect(bad.nodes).toEqual([
      expect.objectContaining({ ticketId: ids.t2, surveyId: ids.s2, value: 2 }),
    ]);
  });

  it('CES opens to the effort answers behind it: as many as surveyStats counts', async () => {
    const STATS = `query($f: SurveyStatsFilter!) { surveyStats(filter: $f) { cesResponses meanCes } }`;
    for (const f of [DEC, { ...DEC, teamIds: [ids.billing] }]) {
      const [stats] = (await ok(stack, admin, STATS, { f })).surveyStats;
      const { total, nodes } = await drillAll(admin, f, 'ces_answers');
      expect({ total, listed: nodes.length }).toEqual({
        total: stats.cesResponses,
        listed: stats.cesResponses,
      });
      const mean = nodes.reduce((a, n) => a + n.value, 0) / nodes.length;
      expect(mean).toBeCloseTo(stats.meanCes, 6);
    }
    // by hand: T1 (6) and T5 (3); T2's rating came without an effort answer
    const all = await drillAll(admin, DEC, 'ces_answers', 'value_desc');
    expect(all.nodes.map((n) => [n.ticketId, n.surveyId, n.value])).toEqual([
      [ids.t1, ids.s1, 6],
      [ids.t5, ids.s5, 3],
    ]);
  });

  it('NPS opens to its answers (promoters, passives, detractors): as many as surveyStats counts', async () => {
    // relationship NPS answers of Umbrella (no ticket), by the survey's own team:
    // Billing 10, 9, 8, 3 in December (+ one unanswered, + one answered in November), Support 6, 10
    const customer = (
      await stack.db.query<{ id: string }>(
        `INSERT INTO customers (name, mrr, customer_since) VALUES ('Umbrella', 50, '2025-01-01') RETURNING id::text`,
      )
    ).rows[0].id;
    const contact = (
      await stack.db.query<{ id: string }>(
        `INSERT INTO contacts (customer_id, name, email) VALUES ($1, 'Uma', 'uma@umbrella.example') RETURNING id::text`,
        [customer],
      )
    ).rows[0].id;
    const answers: [string, number | null, string][] = [
      [ids.billing, 10, '2025-12-02T10:00:00Z'],
      [ids.billing, 9, '2025-12-09T10:00:00Z'],
      [ids.billing, 8, '2025-12-16T10:00:00Z'],
      [ids.billing, 3, '2025-12-23T10:00:00Z'],
      [ids.billing, null, '2025-12-24T10:00:00Z'],
      [ids.billing, 2, '2025-11-20T10:00:00Z'],
      [ids.support, 6, '2025-12-05T10:00:00Z'],
      [ids.support, 10, '2025-12-06T10:00:00Z'],
    ];
    for (const [k, [team, score, at]] of answers.entries()) {
      await stack.db.query(
        `INSERT INTO surveys (kind, contact_id, customer_id, team_id, period, token_salt, token_hash, sent_at, expires_at, responded_at, score)
         VALUES ('nps', $1, $2, $3, $4, 's', md5(random()::text), $5::timestamptz - interval '1 day',
                 $5::timestamptz + interval '14 days', CASE WHEN $6::int IS NULL THEN NULL ELSE $5::timestamptz END, $6::int)`,
        [contact, customer, team, `nps-${k}`, at, score],
      );
    }
    const STATS = `query($f: SurveyStatsFilter!) { surveyStats(filter: $f) { npsResponses promoters passives detractors nps } }`;
    const NPS_DRILL = `query($f: KpiFilter!, $m: KpiMetric!) { supportKpiTickets(filter: $f, metric: $m, first: 100) {
      totalCount edges { node { ticketId surveyId value ticket { id } customer { id name } } } } }`;
    const DASH = `query($f: KpiFilter!) { supportKpiSurveys(filter: $f) {
      npsResponses promoters passives detractors nps cesResponses meanCes } }`;
    const STATS_CES = `query($f: SurveyStatsFilter!) { surveyStats(filter: $f) { cesResponses meanCes } }`;
    const byHand = [
      { f: DEC, answers: 6, promoters: 3, passives: 1, detractors: 2 },
      {
        f: { ...DEC, teamIds: [ids.billing] },
        answers: 4,
        promoters: 2,
        passives: 1,
        detractors: 1,
      },
    ];
    for (const h of byHand) {
      const [stats] = (await ok(stack, admin, STATS, { f: h.f })).surveyStats;
      expect(stats).toMatchObject({
        npsResponses: h.answers,
        promoters: h.promoters,
        passives: h.passives,
        detractors: h.detractors,
      });
      // the dashboard's CES and NPS (supportKpiSurveys) are surveyStats' figures
      const dash = (await ok(stack, admin, DASH, { f: h.f })).supportKpiSurveys;
      const [answers] = (await ok(stack, admin, STATS_CES, { f: h.f })).surveyStats;
      expect(dash).toEqual({ ...stats, ...answers });
      const figures: Record<string, number> = {
        nps_answers: stats.npsResponses,
        nps_promoters: stats.promoters,
        nps_passives: stats.passives,
        nps_detractors: stats.detractors,
      };
      for (const [metric, figure] of Object.entries(figures)) {
        const { total, nodes } = await drillAll(admin, h.f, metric);
        expect({ metric, total, listed: nodes.length }).toEqual({
          metric,
          total: figure,
          listed: figure,
        });
      }
      // the list gives the figure back: % promoters − % detractors
      const list = (await ok(stack, admin, NPS_DRILL, { f: h.f, m: 'nps_answers' }))
        .supportKpiTickets;
      const scores: number[] = list.edges.map((e: any) => e.node.value);
      const nps =
        ((scores.filter((s) => s >= 9).length - scores.filter((s) => s <= 6).length) * 100) /
        scores.length;
      expect(nps).toBeCloseTo(stats.nps, 2);
      expect(list.edges[0].node).toEqual({
        ticketId: null,
        surveyId: expect.any(String),
        value: expect.any(Number),
        ticket: null,
        customer: { id: customer, name: 'Umbrella' },
      });
    }
    // a team lead's list is their team's; NPS has no channel (not per ticket)
    expect((await drillAll(lead, DEC, 'nps_answers')).total).toBe(4);
    const channel = await fails(stack, lead, DRILL, {
      f: { ...DEC, channels: ['email'] },
      m: 'nps_promoters',
    });
    expect(channel.extensions?.code).toBe('BAD_USER_INPUT');
    expect(channel.message).toMatch(/NPS answers .* no channel/);
  });

  it('groups without a value (unassigned, unknown segment) drill with filter.noValue', async () => {
    const TABLE = `query($f: KpiFilter!, $g: [String!]) { supportKpis(filter: $f, groupBy: $g) { rows {
      agentId segment ticketsCreated ticketsSolved slaFirstResponse { due met } backlogAtEnd csatRatings } } }`;
    const rows = (await ok(stack, admin, TABLE, { f: DEC, g: ['agent'] })).supportKpis.rows;
    const unassigned = rows.find((r: any) => r.agentId === null);
    expect(unassigned).toMatchObject({ ticketsCreated: 4, ticketsSolved: 2, csatRatings: 2 });
    const none = { ...DEC, noValue: ['agent'] };
    const figures: Record<string, number> = {
      tickets_created: unassigned.ticketsCreated,
      tickets_solved: unassigned.ticketsSolved,
      sla_first_response_breached:
        unassigned.slaFirstResponse.due - unassigned.slaFirstResponse.met,
      backlog: unassigned.backlogAtEnd,
      csat_ratings: unassigned.csatRatings,
    };
    for (const [metric, figure] of Object.entries(figures)) {
      const { total, nodes } = await drillAll(admin, none, metric);
      expect({ metric, total, listed: nodes.length }).toEqual({
        metric,
        total: figure,
        listed: figure,
      });
      expect(nodes.map((n) => n.ticketId)).not.toContain(ids.t1);
    }
    // supportKpis answers the same filter with the group's own figures; by week it is
    // answered from the facts (the cells keep no group of absent values apart)
    const [own] = (await ok(stack, admin, TABLE, { f: none, g: [] })).supportKpis.rows;
    expect(own).toMatchObject({ agentId: null, ticketsCreated: 4, ticketsSolved: 2 });
    const weekly = (await ok(stack, admin, TABLE, { f: none, g: ['week'] })).supportKpis.rows;
    expect(weekly.reduce((a: number, r: any) => a + r.ticketsCreated, 0)).toBe(4);
    // no customer has a value segment yet: the unknown segment is everyone
    const seg = (await ok(stack, admin, TABLE, { f: DEC, g: ['segment'] })).supportKpis.rows;
    expect(seg.map((r: any) => [r.segment, r.ticketsCreated])).toEqual([[null, 5]]);
    expect((await drillAll(admin, { ...DEC, noValue: ['segment'] }, 'tickets_created')).total).toBe(
      5,
    );
    // one or the other for a dimension; a lead has no ticket without a team
    const both = await fails(stack, admin, DRILL, {
      f: { ...DEC, noValue: ['agent'], agentIds: [ids.ada] },
      m: 'tickets_created',
    });
    expect(both.extensions?.code).toBe('BAD_USER_INPUT');
    expect(both.message).toMatch(/give one or the other/);
    const noTeam = await fails(stack, lead, DRILL, {
      f: { ...DEC, noValue: ['team'] },
      m: 'tickets_created',
    });
    expect(noTeam.extensions?.code).toBe('FORBIDDEN');
    const unknown = await fails(stack, admin, DRILL, {
      f: { ...DEC, noValue: ['colour'] },
      m: 'tickets_created',
    });
    expect(unknown.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('keeps team leads to their own teams and refuses bad input', async () => {
    const own = await drillAll(lead, DEC, 'tickets_created');
    expect(own.total).toBe(4); // Billing only
    const other = await fails(stack, lead, DRILL, {
      f: { ...DEC, teamIds: [ids.support] },
      m: 'tickets_created',
    });
    expect(other.extensions?.code).toBe('FORBIDDEN');
    const cursor = await fails(stack, admin, DRILL, {
      f: DEC,
      m: 'tickets_created',
      after: 'not-a-cursor',
    });
    expect(cursor.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('risk factors open to their evidence: the breached tickets, the bad ratings', async () => {
    // Globex, recent: 3 tickets past their first-response target unanswered, 2 CSAT answers of 2/5
    const g = (
      await stack.db.query<{ id: string }>(
        `INSERT INTO customers (name, mrr, customer_since) VALUES ('Globex', 500, '2024-01-01') RETURNING id::text`,
      )
    ).rows[0].id;
    const c = (
      await stack.db.query<{ id: string }>(
        `INSERT INTO contacts (customer_id, name, email) VALUES ($1, 'Bo', 'bo@globex.example') RETURNING id::text`,
        [g],
      )
    ).rows[0].id;
    const breached: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const { rows } = await stack.db.query<{ id: string }>(
        `INSERT INTO tickets (customer_id, requester_id, subject, channel, priority, status, created_at, first_response_due_at)
         VALUES ($1, $2, $3, 'email', 'normal', 'open', now() - make_interval(days => $4), now() - make_interval(days => $4) + interval '1 hour')
         RETURNING id::text`,
        [g, c, `broken ${i}`, i],
      );
      breached.push(rows[0].id);
    }
    // one answered in time: not evidence of a breach
    await stack.db.query(
      `INSERT INTO tickets (customer_id, requester_id, subject, channel, priority, status, created_at, first_response_at, first_response_due_at)
       VALUES ($1, $2, 'fine', 'email', 'normal', 'open', now() - interval '2 days', now() - interval '47 hours', now() - interval '1 day')`,
      [g, c],
    );
    const bad: string[] = [];
    for (const t of breached.slice(0, 2)) {
      const { rows } = await stack.db.query<{ id: string }>(
        `INSERT INTO surveys (kind, ticket_id, solve_cycle, contact_id, customer_id, token_salt, token_hash, sent_at, expires_at, responded_at, score)
         VALUES ('csat', $1, 1, $2, $3, 's', md5(random()::text), now() - interval '2 days', now() + interval '7 days', now() - interval '1 day', 2)
         RETURNING id::text`,
        [t, c, g],
      );
      bad.push(rows[0].id);
    }
    await stack.worker!.get(RiskService).rescoreCustomer(g);
    const risk = (
      await ok(
        stack,
        admin,
        `query($id: ID!) { customer(id: $id) { risk { factors { name value contribution evidence { kind id ticketId detail } } } } }`,
        { id: g },
      )
    ).customer.risk;
    const factor = (name: string) => risk.factors.find((f: any) => f.name === name);
    const sla = factor('sla_breaches');
    expect(sla.value).toBe(3);
    expect(sla.evidence.map((e: any) => e.id).sort()).toEqual([...breached].sort());
    expect(sla.evidence.every((e: any) => e.kind === 'ticket')).toBe(true);
    expect(sla.evidence[0].detail).toMatch(/^first response target missed: broken/);
    const csat = factor('bad_csat_count');
    expect(csat.value).toBe(2);
    expect(csat.evidence.map((e: any) => [e.kind, e.id, e.detail]).sort()).toEqual(
      bad.map((id) => ['survey', id, 'CSAT 2/5']).sort(),
    );
    expect(factor('low_csat').evidence).toHaveLength(2);
    expect(factor('short_tenure').evidence).toEqual([]);
  });

  it('the customer timeline shows survey answers', async () => {
    const tl = (
      await ok(
        stack,
        admin,
        `query($id: ID!) { customer(id: $id) { timeline(first: 100) { edges { node { kind at refId ticketId title body toValue actorContactId } } } } }`,
        { id: ids.customer },
      )
    ).customer.timeline.edges.map((e: any) => e.node);
    const answers = tl.filter((n: any) => n.kind === 'survey_answered');
    expect(answers).toEqual([
      expect.objectContaining({
        refId: ids.s2,
        ticketId: ids.t2,
        title: 'csat',
        toValue: '2',
        body: 'thanks',
        actorContactId: ids.contact,
        at: '2025-12-11T10:00:00.000Z',
      }),
      expect.objectContaining({ refId: ids.s5, ticketId: ids.t5, toValue: '4' }),
      expect.objectContaining({ refId: ids.s1, ticketId: ids.t1, toValue: '5' }),
    ]);
  });

  it('updateSlaPolicy changes the targets of new tickets only', async () => {
    const created = (
      await ok(
        stack,
        admin,
        `mutation { createSlaPolicy(input: { name: "Normal", priority: normal, firstResponseMinutes: 60, resolutionMinutes: 600 }) { id } }`,
      )
    ).createSlaPolicy;
    const TICKET = `mutation($r: ID!) { createTicket(input: { requesterId: $r, subject: "sla", channel: email, priority: normal, message: { body: "hi", kind: customer_message } }) { id createdAt firstResponseDueAt resolutionDueAt } }`;
    const before = (await ok(stack, admin, TICKET, { r: ids.contact })).createTicket;
    expect(Date.parse(before.firstResponseDueAt) - Date.parse(before.createdAt)).toBe(60 * 60_000);
    const UPDATE = `mutation($id: ID!, $i: SlaPolicyUpdateInput!) { updateSlaPolicy(id: $id, input: $i) { id name firstResponseMinutes resolutionMinutes tier } }`;
    const updated = (
      await ok(stack, admin, UPDATE, {
        id: created.id,
        i: { name: 'Normal (faster)', firstResponseMinutes: 30, resolutionMinutes: 300 },
      })
    ).updateSlaPolicy;
    expect(updated).toEqual({
      id: created.id,
      name: 'Normal (faster)',
      firstResponseMinutes: 30,
      resolutionMinutes: 300,
      tier: null,
    });
    const after = (await ok(stack, admin, TICKET, { r: ids.contact })).createTicket;
    expect(Date.parse(after.firstResponseDueAt) - Date.parse(after.createdAt)).toBe(30 * 60_000);
    expect(Date.parse(after.resolutionDueAt) - Date.parse(after.createdAt)).toBe(300 * 60_000);
    // the earlier ticket keeps its due time
    const { rows } = await stack.db.query(
      `SELECT first_response_due_at AS due FROM tickets WHERE id = $1`,
      [before.id],
    );
    expect(rows[0].due.toISOString()).toBe(new Date(before.firstResponseDueAt).toISOString());
    const invalid = await fails(stack, admin, UPDATE, {
      id: created.id,
      i: { resolutionMinutes: 10 },
    });
    expect(invalid).toMatchObject({
      message: 'resolutionMinutes: must not be shorter than the first-response target',
      extensions: { code: 'BAD_USER_INPUT' },
    });
    expect(
      (await fails(stack, lead, UPDATE, { id: created.id, i: { name: 'x' } })).extensions?.code,
    ).toBe('FORBIDDEN');
    expect(
      (await fails(stack, admin, UPDATE, { id: '999999', i: { name: 'x' } })).extensions?.code,
    ).toBe('NOT_FOUND');
  });
});
