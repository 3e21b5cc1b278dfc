import { Tx, returnedRows } from '@staydesk/core';
import type { Channel, Priority } from './ticket-rules';
import { SLA_COLUMNS, SlaPolicyRow, rethrowPolicyConflict } from './tickets.sql';
import { TicketWriteQueries } from './tickets.repository.writes';

/** SLA policies: the policy of a new ticket, their administration, and the breach sweep. */
export abstract class TicketPolicyQueries extends TicketWriteQueries {
  /** The most specific active policy for a ticket: channel and tier matches beat wildcards. */
  async policyFor(
    tx: Tx,
    priority: Priority,
    channel: Channel,
    tier: string,
  ): Promise<SlaPolicyRow | null> {
    const rows: SlaPolicyRow[] = await tx.query(
      `SELECT ${SLA_COLUMNS} FROM sla_policies
        WHERE active AND priority = $1 AND (channel IS NULL OR channel = $2) AND (tier IS NULL OR tier = $3)
        ORDER BY (channel IS NOT NULL)::int + (tier IS NOT NULL)::int DESC, (channel IS NOT NULL) DESC, id
        LIMIT 1`,
      [priority, channel, tier],
    );
    return rows[0] ?? null;
  }

  /** A ticket's own policy (active or not: a ticket keeps the policy it was given). */
  async policyById(tx: Tx, id: string): Promise<SlaPolicyRow | null> {
    const rows: SlaPolicyRow[] = await tx.query(
      `SELECT ${SLA_COLUMNS} FROM sla_policies WHERE id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async listPolicies(tx: Tx): Promise<SlaPolicyRow[]> {
    return tx.query(
      `SELECT ${SLA_COLUMNS} FROM sla_policies WHERE active
        ORDER BY CASE priority WHEN 'urgent' THEN 1 WHEN 'high' THEN 2 WHEN 'normal' THEN 3 ELSE 4 END, channel NULLS FIRST, tier NULLS FIRST, id`,
    );
  }

  async insertPolicy(tx: Tx, p: Omit<SlaPolicyRow, 'id' | 'active'>): Promise<SlaPolicyRow> {
    try {
      const rows: SlaPolicyRow[] = await tx.query(
        `INSERT INTO sla_policies (name, priority, channel, tier, first_response_minutes, resolution_minutes, business_hours, next_reply_minutes)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${SLA_COLUMNS}`,
        [
          p.name,
          p.priority,
          p.channel,
          p.tier,
          p.firstResponseMinutes,
          p.resolutionMinutes,
          p.businessHours,
          p.nextReplyMinutes ?? null,
        ],
      );
      return rows[0];
    } catch (err) {
      rethrowPolicyConflict(err);
    }
  }

  async lockActivePolicy(tx: Tx, id: string): Promise<SlaPolicyRow | null> {
    const rows: SlaPolicyRow[] = await tx.query(
      `SELECT ${SLA_COLUMNS} FROM sla_policies WHERE id = $1 AND active FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  async updatePolicy(
    tx: Tx,
    id: string,
    p: Omit<SlaPolicyRow, 'id' | 'active'>,
  ): Promise<SlaPolicyRow> {
    try {
      const rows = returnedRows<SlaPolicyRow>(
        await tx.query(
          `UPDATE sla_policies SET name = $2, priority = $3, channel = $4, tier = $5, first_response_minutes = $6,
                  resolution_minutes = $7, business_hours = $8, next_reply_minutes = $9, updated_at = now()
            WHERE id = $1 RETURNING ${SLA_COLUMNS}`,
          [
            id,
            p.name,
            p.priority,
            p.channel,
            p.tier,
            p.firstResponseMinutes,
            p.resolutionMinutes,
            p.businessHours,
            p.nextReplyMinutes ?? null,
          ],
        ),
      );
      return rows[0];
    } catch (err) {
      rethrowPolicyConflict(err);
    }
  }

  async deactivatePolicy(tx: Tx, id: string): Promise<boolean> {
    const rows = returnedRows<unknown>(
      await tx.query(
        `UPDATE sla_policies SET active = false, updated_at = now() WHERE id = $1 AND active RETURNING id`,
        [id],
      ),
    );
    return rows.length > 0;
  }

  /**
   * Flags SLA targets whose due time passed without being met and records one `sla_breached`
   * event per newly breached target. Driven by the tickets' next-due index.
   */
  async markBreaches(
    tx: Tx,
  ): Promise<{ firstResponse: number; resolution: number; nextReply: number }> {
    const fr = returnedRows<{ id: string }>(
      await tx.query(
        `UPDATE tickets SET first_response_breached = true
        WHERE next_due_at < now() AND status NOT IN ('solved', 'closed') AND first_response_at IS NULL
          AND NOT first_response_breached AND first_response_due_at < now()
        RETURNING id::text`,
      ),
    );
    const rs = returnedRows<{ id: string }>(
      await tx.query(
        `UPDATE tickets SET resolution_breached = true
        WHERE next_due_at < now() AND status NOT IN ('solved', 'closed')
          AND NOT resolution_breached AND resolution_due_at < now() AND sla_paused_at IS NULL
        RETURNING id::text`,
      ),
    );
    const nr = returnedRows<{ id: string }>(
      await tx.query(
        `UPDATE tickets SET next_reply_breached = true
        WHERE next_due_at < now() AND status NOT IN ('solved', 'closed')
          AND NOT next_reply_breached AND next_reply_due_at < now() AND sla_paused_at IS NULL
        RETURNING id::text`,
      ),
    );
    const now = new Date();
    await this.insertEvents(tx, [
      ...nr.map((r) => ({
        ticketId: r.id,
        actorId: null,
        type: 'sla_breached',
        fromValue: null,
        toValue: 'next_reply',
        createdAt: now,
      })),
      ...fr.map((r) => ({
        ticketId: r.id,
        actorId: null,
        type: 'sla_breached',
        fromValue: null,
        toValue: 'first_response',
        createdAt: now,
      })),
      ...rs.map((r) => ({
        ticketId: r.id,
        actorId: null,
        type: 'sla_breached',
        fromValue: null,
        toValue: 'resolution',
        createdAt: now,
      })),
    ]);
    return { firstResponse: fr.length, resolution: rs.length, nextReply: nr.length };
  }
}
