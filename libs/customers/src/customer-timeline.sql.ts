import { RawBuilder, sql } from 'kysely';
import { Tx, db } from '@staydesk/core';

export interface TimelineRow {
  kind: string;
  at: Date;
  sortId: string;
  ticketId: string | null;
  title: string;
  body: string | null;
  actorUserId: string | null;
  actorContactId: string | null;
  fromValue: string | null;
  toValue: string | null;
  refId: string;
  /** `at` with microseconds, for the cursor. */
  atKey: string;
}

/**
 * A customer's history, newest first: tickets opened, messages, ticket status changes,
 * follow-ups, account status changes and survey answers. Each branch is limited on its own index before the
 * merge, so a long history costs no more than a page.
 *
 * Hand-written SQL (a UNION ALL of per-table pages), kept as a typed SQL template with its row
 * type (decision 46); run by customer-timeline.medium-spec.ts.
 */
export async function customerTimeline(
  tx: Tx,
  customerId: string,
  before: { at: string; sortId: string } | null,
  limit: number,
  /** Private teams whose tickets the viewer may not read (`IdentityService.hiddenTeamIds`). */
  hiddenTeamIds: string[],
): Promise<TimelineRow[]> {
  // strictly older than the cursor (at, sortId); sortId is the kind's letter and the padded id
  const cond = (atCol: RawBuilder<unknown>, sortCol: RawBuilder<unknown>) =>
    before
      ? sql`(${atCol}, ${sortCol}) < (${before.at}::timestamptz, ${before.sortId}::text)`
      : sql`true`;
  const sortKey = (letter: string, id: RawBuilder<unknown>) =>
    sql`${sql.lit(letter)} || lpad(${id}::text, 20, '0')`;
  const hidden = sql`${hiddenTeamIds}::bigint[]`;
  // a private team's ticket, with everything about it, only for its members and admins
  const visible = sql`(t.team_id IS NULL OR t.team_id <> ALL(${hidden}))`;
  const visibleRef = (col: RawBuilder<unknown>) =>
    sql`(${col} IS NULL OR NOT EXISTS (SELECT 1 FROM tickets ht WHERE ht.id = ${col} AND ht.team_id = ANY(${hidden})))`;
  const { rows } = await sql<TimelineRow>`
    SELECT *, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS "atKey" FROM (
      (SELECT 'ticket_created' AS kind, t.created_at AS at, ${sortKey('t', sql`t.id`)} AS "sortId",
              t.id::text AS "ticketId", t.subject AS title, NULL AS body, t.created_by_id::text AS "actorUserId",
              t.requester_id::text AS "actorContactId", NULL AS "fromValue", t.channel AS "toValue", t.id::text AS "refId"
         FROM tickets t
        WHERE t.customer_id = ${customerId} AND ${cond(sql`t.created_at`, sortKey('t', sql`t.id`))} AND ${visible}
        ORDER BY t.created_at DESC, t.id DESC LIMIT ${limit})
      UNION ALL
      (SELECT 'message', m.created_at, ${sortKey('m', sql`m.id`)}, t.id::text, t.subject,
              left(m.body, 500), m.author_user_id::text, m.author_contact_id::text, NULL, m.kind, m.id::text
         FROM ticket_messages m JOIN tickets t ON t.id = m.ticket_id
        WHERE t.customer_id = ${customerId} AND ${cond(sql`m.created_at`, sortKey('m', sql`m.id`))} AND ${visible}
        ORDER BY m.created_at DESC, m.id DESC LIMIT ${limit})
      UNION ALL
      (SELECT 'ticket_status_changed', e.created_at, ${sortKey('e', sql`e.id`)}, t.id::text, t.subject,
              NULL, e.actor_id::text, NULL, e.from_value, e.to_value, e.id::text
         FROM ticket_events e JOIN tickets t ON t.id = e.ticket_id
        WHERE t.customer_id = ${customerId} AND e.type = 'status_changed'
          AND ${cond(sql`e.created_at`, sortKey('e', sql`e.id`))} AND ${visible}
        ORDER BY e.created_at DESC, e.id DESC LIMIT ${limit})
      UNION ALL
      (SELECT 'follow_up', f.created_at, ${sortKey('f', sql`f.id`)}, f.ticket_id::text, f.kind,
              coalesce(f.outcome, f.note), f.owner_id::text, NULL, f.status, to_char(f.due_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), f.id::text
         FROM follow_ups f
        WHERE f.customer_id = ${customerId} AND ${cond(sql`f.created_at`, sortKey('f', sql`f.id`))}
          AND ${visibleRef(sql`f.ticket_id`)}
        ORDER BY f.created_at DESC, f.id DESC LIMIT ${limit})
      UNION ALL
      (SELECT 'customer_status_changed', s.changed_at, ${sortKey('s', sql`s.id`)}, NULL, s.to_status,
              s.reason, s.actor_id::text, NULL, s.from_status, s.to_status, s.id::text
         FROM customer_status_changes s
        WHERE s.customer_id = ${customerId} AND ${cond(sql`s.changed_at`, sortKey('s', sql`s.id`))}
        ORDER BY s.changed_at DESC, s.id DESC LIMIT ${limit})
      UNION ALL
      (SELECT 'survey_answered', v.responded_at, ${sortKey('v', sql`v.id`)}, v.ticket_id::text, v.kind,
              v.comment, NULL, v.contact_id::text,
              CASE WHEN v.ces_score IS NULL THEN NULL ELSE v.ces_score::text END, v.score::text, v.id::text
         FROM surveys v
        WHERE v.customer_id = ${customerId} AND v.responded_at IS NOT NULL AND v.score IS NOT NULL
          AND ${cond(sql`v.responded_at`, sortKey('v', sql`v.id`))} AND ${visibleRef(sql`v.ticket_id`)}
        ORDER BY v.responded_at DESC, v.id DESC LIMIT ${limit})
    ) entries
    ORDER BY at DESC, "sortId" DESC
    LIMIT ${limit}`.execute(db(tx));
  return rows;
}
