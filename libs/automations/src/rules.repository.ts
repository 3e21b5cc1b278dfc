import { Injectable } from '@nestjs/common';
import { Tx, returnedRows } from '@staydesk/core';
import type { RuleActions, RuleCondition, RuleTrigger } from './rule-logic';

export interface RuleRow {
  id: string;
  name: string;
  trigger: RuleTrigger;
  conditions: RuleCondition[];
  actions: RuleActions;
  position: number;
  active: boolean;
  stopProcessing: boolean;
  version: number;
  createdById: string | null;
  updatedById: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface EditorRow {
  id: string;
  name: string;
  role: string;
  teamId: string | null;
  teamIds?: string[];
  active: boolean;
}

export type NewRule = Pick<
  RuleRow,
  'name' | 'trigger' | 'conditions' | 'actions' | 'active' | 'stopProcessing'
>;

export interface RuleVersionRow {
  ruleId: string;
  version: number;
  snapshot: NewRule;
  changedById: string | null;
  changedAt: Date;
}

/** The customer side of a ticket, as rules see it (does not change while rules run). */
export interface CustomerFacts {
  tier: string;
  riskBand: string | null;
  accountManagerId: string | null;
  customerName: string;
  requesterName: string;
  requesterEmail: string | null;
}

const COLUMNS = `id::text, name, trigger, conditions, actions, position, active,
  stop_processing AS "stopProcessing", version, created_by_id::text AS "createdById",
  updated_by_id::text AS "updatedById", created_at AS "createdAt", updated_at AS "updatedAt"`;

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

/** SQL of automation rules, their versions, time-rule firings and automatic mails. */
@Injectable()
export class RulesRepository {
  async list(tx: Tx): Promise<RuleRow[]> {
    return tx.query(
      `SELECT ${COLUMNS} FROM automation_rules WHERE deleted_at IS NULL ORDER BY trigger, position, id`,
    );
  }

  /** The counter every write to `automation_rules` bumps (a statement trigger). */
  async activeVersion(tx: Tx): Promise<string> {
    const rows: { version: string }[] = await tx.query(
      `SELECT version::text AS version FROM automation_rules_state WHERE id`,
    );
    return rows[0]?.version ?? '0';
  }

  /**
   * The active rules of every change trigger in one read, each with its last editor (the user
   * it acts as), in order (the partial index serves this).
   */
  async activeForChanges(tx: Tx): Promise<(RuleRow & { editor: EditorRow | null })[]> {
    return tx.query(
      `SELECT r.id::text, r.name, r.trigger, r.conditions, r.actions, r.position, r.active,
              r.stop_processing AS "stopProcessing", r.version, r.created_by_id::text AS "createdById",
              r.updated_by_id::text AS "updatedById", r.created_at AS "createdAt", r.updated_at AS "updatedAt",
              CASE WHEN u.id IS NULL THEN NULL ELSE json_build_object('id', u.id::text, 'name', u.name,
                'role', u.role, 'teamId', u.team_id::text, 'active', u.active,
                'teamIds', ARRAY(SELECT ut.team_id::text FROM user_teams ut WHERE ut.user_id = u.id)) END AS editor
         FROM automation_rules r LEFT JOIN users u ON u.id = r.updated_by_id
        WHERE r.active AND r.deleted_at IS NULL AND r.trigger <> 'time'
        ORDER BY r.position, r.id`,
    );
  }

  /** The active rules of a trigger, in order (the partial index serves this). */
  async active(tx: Tx, trigger: RuleTrigger): Promise<RuleRow[]> {
    return tx.query(
      `SELECT ${COLUMNS} FROM automation_rules
        WHERE active AND deleted_at IS NULL AND trigger = $1 ORDER BY position, id`,
      [trigger],
    );
  }

  async byId(tx: Tx, id: string): Promise<RuleRow | null> {
    const rows: RuleRow[] = await tx.query(
      `SELECT ${COLUMNS} FROM automation_rules WHERE id = $1 AND deleted_at IS NULL`,
      [id],
    );
    return rows[0] ?? null;
  }

  async lock(tx: Tx, id: string): Promise<RuleRow | null> {
    const rows: RuleRow[] = await tx.query(
      `SELECT ${COLUMNS} FROM automation_rules WHERE id = $1 AND deleted_at IS NULL FOR UPDATE`,
      [id],
    );
    return rows[0] ?? null;
  }

  async insert(tx: Tx, r: NewRule, userId: string): Promise<RuleRow> {
    const [row]: RuleRow[] = await tx.query(
      `INSERT INTO automation_rules
         (name, trigger, conditions, actions, active, stop_processing, position, created_by_id, updated_by_id)
       VALUES ($1, $2, $3, $4, $5, $6,
         (SELECT coalesce(max(position), 0) + 1 FROM automation_rules WHERE trigger = $2 AND deleted_at IS NULL),
         $7, $7)
       RETURNING ${COLUMNS}`,
      [
        r.name,
        r.trigger,
        JSON.stringify(r.conditions),
        JSON.stringify(r.actions),
        r.active,
        r.stopProcessing,
        userId,
      ],
    );
    await this.snapshot(tx, row, userId);
    return row;
  }

  async update(tx: Tx, id: string, r: NewRule, userId: string): Promise<RuleRow> {
    const [row] = returnedRows<RuleRow>(
      await tx.query(
        `UPDATE automation_rules SET name = $2, trigger = $3, conditions = $4, actions = $5, active = $6,
              stop_processing = $7, version = version + 1, updated_by_id = $8, updated_at = now(),
              position = CASE WHEN trigger = $3 THEN position ELSE
                (SELECT coalesce(max(position), 0) + 1 FROM automation_rules WHERE trigger = $3 AND deleted_at IS NULL) END
        WHERE id = $1 RETURNING ${COLUMNS}`,
        [
          id,
          r.name,
          r.trigger,
          JSON.stringify(r.conditions),
          JSON.stringify(r.actions),
          r.active,
          r.stopProcessing,
          userId,
        ],
      ),
    );
    await this.snapshot(tx, row, userId);
    return row;
  }

  /** Deleting keeps the row and its versions (history events name it); it stops running. */
  async softDelete(tx: Tx, id: string, userId: string): Promise<void> {
    await tx.query(
      `UPDATE automation_rules SET deleted_at = now(), active = false, updated_by_id = $2, updated_at = now()
        WHERE id = $1`,
      [id, userId],
    );
  }

  async reorder(tx: Tx, ids: string[]): Promise<void> {
    await tx.query(
      `UPDATE automation_rules r SET position = o.ord, updated_at = now()
         FROM unnest($1::bigint[]) WITH ORDINALITY AS o(id, ord) WHERE r.id = o.id`,
      [ids],
    );
  }

  async versions(tx: Tx, id: string): Promise<RuleVersionRow[]> {
    return tx.query(
      `SELECT rule_id::text AS "ruleId", version, snapshot, changed_by_id::text AS "changedById",
              changed_at AS "changedAt"
         FROM automation_rule_versions WHERE rule_id = $1 ORDER BY version DESC`,
      [id],
    );
  }

  private async snapshot(tx: Tx, row: RuleRow, userId: string) {
    const snapshot: NewRule = {
      name: row.name,
      trigger: row.trigger,
      conditions: row.conditions,
      actions: row.actions,
      active: row.active,
      stopProcessing: row.stopProcessing,
    };
    await tx.query(
      `INSERT INTO automation_rule_versions (rule_id, version, snapshot, changed_by_id) VALUES ($1, $2, $3, $4)`,
      [row.id, row.version, JSON.stringify(snapshot), userId],
    );
  }

  async customerFacts(tx: Tx, customerId: string, requesterId: string): Promise<CustomerFacts> {
    const [row]: CustomerFacts[] = await tx.query(
      `SELECT c.tier, r.band AS "riskBand", c.account_manager_id::text AS "accountManagerId",
              c.name AS "customerName", coalesce(ct.name, '') AS "requesterName", ct.email AS "requesterEmail"
         FROM customers c
         LEFT JOIN risk_scores r ON r.customer_id = c.id
         LEFT JOIN contacts ct ON ct.id = $2
        WHERE c.id = $1`,
      [customerId, requesterId],
    );
    return row;
  }

  /** The latest customer message of a ticket (word conditions read the subject and this). */
  async lastCustomerMessage(tx: Tx, ticketId: string): Promise<string> {
    const rows: { body: string }[] = await tx.query(
      `SELECT body FROM ticket_messages WHERE ticket_id = $1 AND kind = 'customer_message'
        ORDER BY created_at DESC, id DESC LIMIT 1`,
      [ticketId],
    );
    return rows[0]?.body ?? '';
  }

  /**
   * Time-based rules: tickets whose clock passed the rule's threshold in a period the rule has
   * not fired in yet. `pending_hours`: pending since `sla_paused_at` (the period is that instant);
   * `unanswered_minutes`: new/open tickets whose latest public message is the customer's (the
   * period is that message).
   */
  async timeCandidates(
    tx: Tx,
    ruleId: string,
    clock: 'pending_hours' | 'unanswered_minutes',
    amount: number,
    limit: number,
  ): Promise<{ ticketId: string; period: string }[]> {
    if (clock === 'pending_hours') {
      return tx.query(
        `SELECT t.id::text AS "ticketId", 'pending-' || floor(extract(epoch FROM t.sla_paused_at))::bigint AS period
           FROM tickets t
          WHERE t.status = 'pending' AND t.sla_paused_at <= now() - make_interval(hours => $2)
            AND NOT EXISTS (SELECT 1 FROM automation_rule_firings f
                             WHERE f.rule_id = $1 AND f.ticket_id = t.id
                               AND f.period = 'pending-' || floor(extract(epoch FROM t.sla_paused_at))::bigint)
          ORDER BY t.sla_paused_at, t.id LIMIT $3`,
        [ruleId, amount, limit],
      );
    }
    return tx.query(
      `SELECT t.id::text AS "ticketId", 'message-' || m.id AS period
         FROM tickets t
         CROSS JOIN LATERAL (
           SELECT id, kind, created_at FROM ticket_messages
            WHERE ticket_id = t.id AND kind <> 'internal_note'
            ORDER BY created_at DESC, id DESC LIMIT 1) m
        WHERE t.status IN ('new', 'open') AND t.last_message_at <= now() - make_interval(mins => $2)
          AND m.kind = 'customer_message' AND m.created_at <= now() - make_interval(mins => $2)
          AND NOT EXISTS (SELECT 1 FROM automation_rule_firings f
                           WHERE f.rule_id = $1 AND f.ticket_id = t.id AND f.period = 'message-' || m.id)
        ORDER BY t.last_message_at, t.id LIMIT $3`,
      [ruleId, amount, limit],
    );
  }

  /** Claims a firing; false when this rule already fired for the ticket in this period. */
  async claimFiring(tx: Tx, ruleId: string, ticketId: string, period: string): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `INSERT INTO automation_rule_firings (rule_id, ticket_id, period) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING rule_id`,
      [ruleId, ticketId, period],
    );
    return rows.length > 0;
  }

  async insertMail(
    tx: Tx,
    m: Pick<AutomationMailRow, 'ticketId' | 'ruleId' | 'kind' | 'recipient' | 'subject' | 'body'>,
  ): Promise<string> {
    const [row]: { id: string }[] = await tx.query(
      `INSERT INTO automation_mails (ticket_id, rule_id, kind, recipient, subject, body)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING id::text`,
      [m.ticketId, m.ruleId, m.kind, m.recipient, m.subject, m.body],
    );
    return row.id;
  }

  async mail(tx: Tx, id: string): Promise<AutomationMailRow | null> {
    const rows: AutomationMailRow[] = await tx.query(
      `SELECT m.id::text, m.ticket_id::text AS "ticketId", m.rule_id::text AS "ruleId", m.kind,
              m.recipient, m.subject, m.body, m.status, t.number
         FROM automation_mails m JOIN tickets t ON t.id = m.ticket_id WHERE m.id = $1`,
      [id],
    );
    return rows[0] ?? null;
  }

  async markMail(tx: Tx, id: string, status: 'sent' | 'failed', error: string | null) {
    await tx.query(
      `UPDATE automation_mails SET status = $2, error = $3,
              sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END WHERE id = $1`,
      [id, status, error],
    );
  }
}
