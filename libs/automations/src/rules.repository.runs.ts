import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Tx, db } from '@staydesk/core';

/** The customer side of a ticket, as rules see it (does not change while rules run). */
export interface CustomerFacts {
  tier: string;
  riskBand: string | null;
  accountManagerId: string | null;
  customerName: string;
  requesterName: string;
  requesterEmail: string | null;
}

export interface AutomationMailRow {
  id: string;
  ticketId: string;
  ruleId: string | null;
  kind: 'rule' | 'merge_notice';
  recipient: string;
  subject: string;
  body: string;
  status: 'queued' | 'sent' | 'failed';
  number: number | null;
}

export type SavepointName = 'automation_rules' | 'automation_rule';

/**
 * What a rule run reads and writes besides the rules themselves: the customer's facts, the
 * latest customer message, the time rules' candidates and firings, automatic mails and the
 * run's savepoints. The base layer of the one injectable {@link RulesRepository} (decision 51's
 * layering). Typed builder, and `sql` templates with typed rows for the set-based scans.
 */
@Injectable()
export abstract class RuleRunsRepository {
  async customerFacts(tx: Tx, customerId: string, requesterId: string): Promise<CustomerFacts> {
    return db(tx)
      .selectFrom('customers')
      .leftJoin('riskScores', 'riskScores.customerId', 'customers.id')
      .leftJoin('contacts', (join) => join.on('contacts.id', '=', requesterId))
      .select((eb) => [
        'customers.tier',
        'riskScores.band as riskBand',
        'customers.accountManagerId',
        'customers.name as customerName',
        eb.fn.coalesce('contacts.name', sql.lit('')).as('requesterName'),
        'contacts.email as requesterEmail',
      ])
      .where('customers.id', '=', customerId)
      .executeTakeFirstOrThrow();
  }

  /** The latest customer message of a ticket (word conditions read the subject and this). */
  async lastCustomerMessage(tx: Tx, ticketId: string): Promise<string> {
    const row = await db(tx)
      .selectFrom('ticketMessages')
      .select('ticketMessages.body')
      .where('ticketMessages.ticketId', '=', ticketId)
      .where('ticketMessages.kind', '=', 'customer_message')
      .orderBy('ticketMessages.createdAt', 'desc')
      .orderBy('ticketMessages.id', 'desc')
      .limit(1)
      .executeTakeFirst();
    return row?.body ?? '';
  }

  /**
   * Time-based rules: tickets whose clock passed the rule's threshold in a period the rule has
   * not fired in yet. `pending_hours`: pending since `sla_paused_at` (the period is that instant);
   * `unanswered_minutes`: new/open tickets whose latest public message is the customer's (the
   * period is that message). Set-based SQL (a lateral join, an anti-join): `sql` templates.
   */
  async timeCandidates(
    tx: Tx,
    ruleId: string,
    clock: 'pending_hours' | 'unanswered_minutes',
    amount: number,
    limit: number,
  ): Promise<{ ticketId: string; period: string }[]> {
    if (clock === 'pending_hours') {
      const { rows } = await sql<{ ticketId: string; period: string }>`
        SELECT t.id::text AS "ticketId", 'pending-' || floor(extract(epoch FROM t.sla_paused_at))::bigint AS period
          FROM tickets t
         WHERE t.status = 'pending' AND t.sla_paused_at <= now() - make_interval(hours => ${amount})
           AND NOT EXISTS (SELECT 1 FROM automation_rule_firings f
                            WHERE f.rule_id = ${ruleId} AND f.ticket_id = t.id
                              AND f.period = 'pending-' || floor(extract(epoch FROM t.sla_paused_at))::bigint)
         ORDER BY t.sla_paused_at, t.id LIMIT ${limit}`.execute(db(tx));
      return rows;
    }
    const { rows } = await sql<{ ticketId: string; period: string }>`
      SELECT t.id::text AS "ticketId", 'message-' || m.id AS period
        FROM tickets t
        CROSS JOIN LATERAL (
          SELECT id, kind, created_at FROM ticket_messages
           WHERE ticket_id = t.id AND kind <> 'internal_note'
           ORDER BY created_at DESC, id DESC LIMIT 1) m
       WHERE t.status IN ('new', 'open') AND t.last_message_at <= now() - make_interval(mins => ${amount})
         AND m.kind = 'customer_message' AND m.created_at <= now() - make_interval(mins => ${amount})
         AND NOT EXISTS (SELECT 1 FROM automation_rule_firings f
                          WHERE f.rule_id = ${ruleId} AND f.ticket_id = t.id AND f.period = 'message-' || m.id)
       ORDER BY t.last_message_at, t.id LIMIT ${limit}`.execute(db(tx));
    return rows;
  }

  /** Claims a firing; false when this rule already fired for the ticket in this period. */
  async claimFiring(tx: Tx, ruleId: string, ticketId: string, period: string): Promise<boolean> {
    const row = await db(tx)
      .insertInto('automationRuleFirings')
      .values({ ruleId, ticketId, period })
      .onConflict((oc) => oc.doNothing())
      .returning('automationRuleFirings.ruleId')
      .executeTakeFirst();
    return row !== undefined;
  }

  async insertMail(
    tx: Tx,
    m: Pick<AutomationMailRow, 'ticketId' | 'ruleId' | 'kind' | 'recipient' | 'subject' | 'body'>,
  ): Promise<string> {
    const row = await db(tx)
      .insertInto('automationMails')
      .values({
        ticketId: m.ticketId,
        ruleId: m.ruleId,
        kind: m.kind,
        recipient: m.recipient,
        subject: m.subject,
        body: m.body,
      })
      .returning('automationMails.id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  async mail(tx: Tx, id: string): Promise<AutomationMailRow | null> {
    const row = await db(tx)
      .selectFrom('automationMails')
      .innerJoin('tickets', 'tickets.id', 'automationMails.ticketId')
      .select([
        'automationMails.id',
        'automationMails.ticketId',
        'automationMails.ruleId',
        'automationMails.kind',
        'automationMails.recipient',
        'automationMails.subject',
        'automationMails.body',
        'automationMails.status',
        'tickets.number',
      ])
      .where('automationMails.id', '=', id)
      .executeTakeFirst();
    return row ?? null;
  }

  async markMail(tx: Tx, id: string, status: 'sent' | 'failed', error: string | null) {
    await db(tx)
      .updateTable('automationMails')
      .set({ status, error, ...(status === 'sent' ? { sentAt: sql<Date>`now()` } : {}) })
      .where('automationMails.id', '=', id)
      .execute();
  }

  /**
   * Savepoints of a rule run inside the changing transaction (rules.service.ts): a rule that
   * cannot act is rolled back alone. The names are a closed set, written into the statement.
   */
  async savepoint(tx: Tx, name: SavepointName): Promise<void> {
    await sql`SAVEPOINT ${sql.id(name)}`.execute(db(tx));
  }

  async rollbackToSavepoint(tx: Tx, name: SavepointName): Promise<void> {
    await sql`ROLLBACK TO SAVEPOINT ${sql.id(name)}`.execute(db(tx));
  }

  async releaseSavepoint(tx: Tx, name: SavepointName): Promise<void> {
    await sql`RELEASE SAVEPOINT ${sql.id(name)}`.execute(db(tx));
  }
}
