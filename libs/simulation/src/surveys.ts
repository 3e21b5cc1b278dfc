import { NEGATIVE_SENTIMENT } from '@staydesk/tickets';
import { isGone } from './churn';
import {
  DAY,
  HOUR,
  clamp,
  iso,
  isoOrNull,
  type Contact,
  type Customer,
  type Ticket,
  type World,
} from './model';
import { streamRng } from './rng';
import { insertRows, reserveIds, type Db } from './rows';

// ---------------------------------------------------------------------------------------------
// Surveys

export interface Survey {
  kind: 'csat' | 'nps';
  ticket: Ticket | null;
  contact: Contact;
  customer: Customer;
  teamId: number | null;
  agentId: number | null;
  period: string | null;
  sentAt: number;
  respondedAt: number | null;
  score: number | null;
  cesScore: number | null;
  comment: string | null;
}

export const LOW_CSAT_COMMENTS = [
  'Took far too long to get an answer.',
  'I had to explain the problem three times.',
  'The issue came back the next day.',
  'Nobody told me what was going on.',
];
export const HIGH_CSAT_COMMENTS = [
  'Quick and friendly, thanks!',
  'Solved on the first try.',
  null,
  null,
];
/** NPS periods of 90 days, named as the api names them (npsPeriod in @staydesk/surveys). */
export const NPS_PERIOD_DAYS = 90;

/**
 * Survey history as the api would have produced it (its rules simplified):
 * - CSAT: after the first solve of a ticket, unless the requester opted out; about 85 % are sent
 *   (the rest were throttled) an hour after the solve, and a third are answered within hours.
 *   The rating follows the ticket's experience: it starts near 5 and drops for a breached
 *   first-response or resolution target, for a reopen, for angry messages and with the
 *   customer's hidden mood, plus noise. Low ratings often carry a comment. 40 % of answers
 *   also rate effort (CES 1–7).
 * - NPS: every 90-day period, the main contact of an active customer gets one with a 60 %
 *   chance; a quarter answer, and the score falls with the customer's service pain and mood.
 * Generated surveys carry no real token (the hash is not a SHA-256), so their links never open.
 */
export function generateSurveys(world: World, customers: Customer[]): Survey[] {
  const { now, options } = world;
  const surveys: Survey[] = [];
  for (const [index, c] of customers.entries()) {
    for (const t of c.tickets) {
      const solved = t.history.events.find((e) => e.type === 'status_changed' && e.to === 'solved');
      if (!solved || t.requester.surveyOptOut) continue;
      const rng = streamRng(options.seed, 'survey', t.stream);
      const sentAt = solved.at + HOUR;
      if (sentAt >= now || !rng.chance(0.85)) continue;
      const angry = t.history.messages.filter(
        (m) => m.kind === 'customer_message' && m.sentiment! < NEGATIVE_SENTIMENT,
      ).length;
      const cols = t.history.columns;
      const answers = rng.chance(angry > 0 ? 0.25 : 0.35);
      const respondedAt = answers ? sentAt + rng.logNormal(3 * HOUR, 1) : null;
      let score: number | null = null;
      if (respondedAt !== null && respondedAt < now) {
        const mean =
          5 -
          (cols.firstResponseBreached ? 0.8 : 0) -
          (cols.resolutionBreached ? 1 : 0) -
          (cols.reopenCount > 0 ? 0.9 : 0) -
          0.6 * Math.min(angry, 2) -
          1.2 * c.mood;
        score = clamp(Math.round(mean + 0.7 * rng.normal()), 1, 5);
      }
      const answered = score !== null;
      surveys.push({
        kind: 'csat',
        ticket: t,
        contact: t.requester,
        customer: c,
        teamId: world.staff.teamIds[t.team],
        agentId: t.history.assigneeId,
        period: null,
        sentAt,
        respondedAt: answered ? respondedAt : null,
        score,
        cesScore:
          answered && rng.chance(0.4) ? clamp(Math.round(score! * 1.4 + rng.normal()), 1, 7) : null,
        comment: !answered
          ? null
          : score! <= 2
            ? rng.pick(LOW_CSAT_COMMENTS)
            : score! >= 4 && rng.chance(0.3)
              ? rng.pick(HIGH_CSAT_COMMENTS)
              : null,
      });
    }
    const periodMs = NPS_PERIOD_DAYS * DAY;
    for (let p = Math.floor(Math.max(c.since, world.ticketsFrom) / periodMs) + 1; ; p++) {
      const sentAt = p * periodMs + 2 * DAY;
      if (sentAt >= now) break;
      const rng = streamRng(options.seed, `nps-${p}`, index);
      if (isGone(c, sentAt) || (c.churnedAt !== null && sentAt >= c.churnedAt)) continue;
      if (c.contacts[0].surveyOptOut || !rng.chance(0.6)) continue;
      const respondedAt = rng.chance(0.25) ? sentAt + rng.logNormal(DAY, 1) : null;
      const answered = respondedAt !== null && respondedAt < now;
      surveys.push({
        kind: 'nps',
        ticket: null,
        contact: c.contacts[0],
        customer: c,
        teamId: null,
        agentId: null,
        period: `p${NPS_PERIOD_DAYS}-${p}`,
        sentAt,
        respondedAt: answered ? respondedAt : null,
        score: answered
          ? clamp(Math.round(9.2 - 9 * c.pain - 3 * c.mood + 1.5 * rng.normal()), 0, 10)
          : null,
        cesScore: null,
        comment: null,
      });
    }
  }
  return surveys;
}

export async function insertSurveys(db: Db, surveys: Survey[]): Promise<void> {
  const first = await reserveIds(db, 'surveys', surveys.length);
  await insertRows(
    db,
    'surveys',
    [
      { name: 'id', type: 'bigint', value: (s: Survey & { id?: number }) => s.id },
      { name: 'kind', type: 'text', value: (s) => s.kind },
      { name: 'ticket_id', type: 'bigint', value: (s) => s.ticket?.id ?? null },
      { name: 'solve_cycle', type: 'int', value: (s) => (s.ticket ? 1 : null) },
      { name: 'contact_id', type: 'bigint', value: (s) => s.contact.id },
      { name: 'customer_id', type: 'bigint', value: (s) => s.customer.id },
      { name: 'team_id', type: 'bigint', value: (s) => s.teamId },
      { name: 'agent_id', type: 'bigint', value: (s) => s.agentId },
      { name: 'period', type: 'text', value: (s) => s.period },
      { name: 'token_salt', type: 'text', value: () => 'generated' },
      { name: 'token_hash', type: 'text', value: (s) => `generated-${s.id}` },
      { name: 'created_at', type: 'timestamptz', value: (s) => iso(s.sentAt) },
      { name: 'sent_at', type: 'timestamptz', value: (s) => iso(s.sentAt) },
      { name: 'expires_at', type: 'timestamptz', value: (s) => iso(s.sentAt + 14 * DAY) },
      { name: 'responded_at', type: 'timestamptz', value: (s) => isoOrNull(s.respondedAt) },
      { name: 'score', type: 'smallint', value: (s) => s.score },
      { name: 'ces_score', type: 'smallint', value: (s) => s.cesScore },
      { name: 'comment', type: 'text', value: (s) => s.comment },
    ],
    surveys.map((s, i) => ({ ...s, id: first + i })),
  );
}
