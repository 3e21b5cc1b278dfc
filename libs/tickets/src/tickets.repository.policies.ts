import { ExpressionBuilder, sql } from 'kysely';
import { DB, Tx, db } from '@staydesk/core';
import type { Channel, Priority } from './ticket-rules';
import {
  MOST_SPECIFIC_POLICY,
  SLA_COLUMNS,
  SlaPolicyRow,
  policyMatches,
  rethrowPolicyConflict,
} from './tickets.sql';
import { TicketWriteQueries } from './tickets.repository.writes';

/** A policy as an administrator writes it. */
type PolicyInput = Omit<SlaPolicyRow, 'id' | 'active'>;

/** The written columns of a policy (insert and update). */
const policyValues = (p: PolicyInput) => ({
  name: p.name,
  priority: p.priority,
  channel: p.channel,
  tier: p.tier as DB['slaPolicies']['tier'],
  firstResponseMinutes: p.firstResponseMinutes,
  resolutionMinutes: p.resolutionMinutes,
  businessHours: p.businessHours,
  nextReplyMinutes: p.nextReplyMinutes ?? null,
});

const active = (eb: ExpressionBuilder<DB, 'slaPolicies'>) => eb.ref('slaPolicies.active');

/** SLA policies: the policy of a new ticket, their administration, and the breach sweep. */
export abstract class TicketPolicyQueries extends TicketWriteQueries {
  /** The most specific active policy for a ticket: channel and tier matches beat wildcards. */
  async policyFor(
    tx: Tx,
    priority: Priority,
    channel: Channel,
    tier: string,
  ): Promise<SlaPolicyRow | null> {
    const row = await db(tx)
      .selectFrom('slaPolicies')
      .select(SLA_COLUMNS)
      .where(policyMatches(priority, channel, tier))
      .orderBy(MOST_SPECIFIC_POLICY)
      .limit(1)
      .executeTakeFirst();
    return row ?? null;
  }

  /** A ticket's own policy (active or not: a ticket keeps the policy it was given). */
  async policyById(tx: Tx, id: string): Promise<SlaPolicyRow | null> {
    const row = await db(tx)
      .selectFrom('slaPolicies')
      .select(SLA_COLUMNS)
      .where('slaPolicies.id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  async listPolicies(tx: Tx): Promise<SlaPolicyRow[]> {
    return db(tx)
      .selectFrom('slaPolicies')
      .select(SLA_COLUMNS)
      .where(active)
      .orderBy(
        (eb) =>
          sql`CASE ${eb.ref('slaPolicies.priority')} WHEN 'urgent' THEN 1 WHEN 'high' THEN 2 WHEN 'normal' THEN 3 ELSE 4 END`,
      )
      .orderBy('slaPolicies.channel', (o) => o.nullsFirst())
      .orderBy('slaPolicies.tier', (o) => o.nullsFirst())
      .orderBy('slaPolicies.id')
      .execute();
  }

  async insertPolicy(tx: Tx, p: PolicyInput): Promise<SlaPolicyRow> {
    try {
      return await db(tx)
        .insertInto('slaPolicies')
        .values(policyValues(p))
        .returning(SLA_COLUMNS)
        .executeTakeFirstOrThrow();
    } catch (err) {
      rethrowPolicyConflict(err);
    }
  }

  async lockActivePolicy(tx: Tx, id: string): Promise<SlaPolicyRow | null> {
    const row = await db(tx)
      .selectFrom('slaPolicies')
      .select(SLA_COLUMNS)
      .where('slaPolicies.id', '=', id)
      .where(active)
      .forUpdate()
      .executeTakeFirst();
    return row ?? null;
  }

  async updatePolicy(tx: Tx, id: string, p: PolicyInput): Promise<SlaPolicyRow> {
    try {
      return await db(tx)
        .updateTable('slaPolicies')
        .set({ ...policyValues(p), updatedAt: sql<Date>`now()` })
        .where('slaPolicies.id', '=', id)
        .returning(SLA_COLUMNS)
        .executeTakeFirstOrThrow();
    } catch (err) {
      rethrowPolicyConflict(err);
    }
  }

  async deactivatePolicy(tx: Tx, id: string): Promise<boolean> {
    const row = await db(tx)
      .updateTable('slaPolicies')
      .set({ active: false, updatedAt: sql<Date>`now()` })
      .where('slaPolicies.id', '=', id)
      .where(active)
      .returning('slaPolicies.id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Flags SLA targets whose due time passed without being met and records one `sla_breached`
   * event per newly breached target. Driven by the tickets' next-due index.
   */
  async markBreaches(
    tx: Tx,
  ): Promise<{ firstResponse: number; resolution: number; nextReply: number }> {
    // one UPDATE per target, in the order fr, rs, nr (each sees the previous one's flags)
    const sweep = async (
      flag: 'firstResponseBreached' | 'resolutionBreached' | 'nextReplyBreached',
      due: 'firstResponseDueAt' | 'resolutionDueAt' | 'nextReplyDueAt',
      unset: 'firstResponseAt' | 'slaPausedAt',
    ) =>
      db(tx)
        .updateTable('tickets')
        .set(flag, true)
        .where(
          (eb) =>
            sql<boolean>`${eb.ref('tickets.nextDueAt')} < now() AND ${eb.ref('tickets.status')} NOT IN ('solved', 'closed')
              AND ${eb.ref(`tickets.${unset}`)} IS NULL AND NOT ${eb.ref(`tickets.${flag}`)} AND ${eb.ref(`tickets.${due}`)} < now()`,
        )
        .returning('tickets.id')
        .execute();
    const fr = await sweep('firstResponseBreached', 'firstResponseDueAt', 'firstResponseAt');
    const rs = await sweep('resolutionBreached', 'resolutionDueAt', 'slaPausedAt');
    const nr = await sweep('nextReplyBreached', 'nextReplyDueAt', 'slaPausedAt');
    const now = new Date();
    const breached = (rows: { id: string }[], target: string) =>
      rows.map((r) => ({
        ticketId: r.id,
        actorId: null,
        type: 'sla_breached',
        fromValue: null,
        toValue: target,
        createdAt: now,
      }));
    await this.insertEvents(tx, [
      ...breached(nr, 'next_reply'),
      ...breached(fr, 'first_response'),
      ...breached(rs, 'resolution'),
    ]);
    return { firstResponse: fr.length, resolution: rs.length, nextReply: nr.length };
  }
}
