import { Injectable } from '@nestjs/common';
import { CompiledQuery, NotNull, sql } from 'kysely';
import { Tx, db } from '@staydesk/core';
import { StatsGroup, StatsRow, surveyStats } from './survey-stats.sql';
import { CsatBatchTicket, SURVEY_COLUMNS, SurveyContext, SurveyRow } from './survey-rows';

export type { StatsGroup, StatsRow } from './survey-stats.sql';
export type { CsatBatchTicket, CsatTicket, SurveyContext, SurveyRow } from './survey-rows';

/** `= ANY($n::bigint[])`: one array parameter for many ids (pg serialises the JS array). */
const anyId = (ids: readonly string[]) => sql<string>`any(${[...ids]}::bigint[])`;

/**
 * Survey SQL, typed (decision 46): CRUD and the delivery marks with the query builder over
 * `db(tx)` (tables, columns and result rows checked against db.generated.ts); the set-based
 * statements of the CSAT batch (`unnest` reads and inserts, advisory locks, the per-customer
 * window, the NPS batch's SELECT) as `sql<Row>` templates with `${}` parameters, run on the same
 * `db(tx)`, so they share the caller's transaction. The KPIs are in survey-stats.sql.ts.
 */
@Injectable()
export class SurveysRepository {
  /**
   * The ticket, its requester's mail flags, its CSAT survey of the asked solve cycle and what the
   * survey e-mail needs (names, subject), for many solves at once: one row per (ticket, solve
   * cycle) asked for that exists, with its position in the input. A solve without a survey gets
   * the id its survey will have (`newId`, drawn from the identity sequence), so the token and its
   * hash are known before the insert and written by it (ids of solves that end up not surveyed
   * are gaps, as a rolled-back insert leaves).
   */
  async csatTickets(
    tx: Tx,
    items: readonly { ticketId: string; solveCycle: number }[],
  ): Promise<CsatBatchTicket[]> {
    const { rows } = await sql<CsatBatchTicket>`
      SELECT v.ord::int AS ord, t.id::text, t.status, t.solve_count AS "solveCount",
             t.customer_id::text AS "customerId", t.requester_id::text AS "requesterId",
             t.team_id::text AS "teamId", t.assignee_id::text AS "assigneeId",
             c.survey_opt_out AS "optOut", c.email_bouncing_at IS NOT NULL AS bouncing,
             c.name AS "contactName", c.email AS "contactEmail", cu.name AS "customerName",
             t.subject AS "ticketSubject",
             s.id::text AS "existingId", coalesce(s.sent_at IS NOT NULL, false) AS "existingSent",
             CASE WHEN s.id IS NULL THEN nextval(q.seq)::text END AS "newId"
        FROM unnest(${items.map((i) => i.ticketId)}::bigint[], ${items.map((i) => i.solveCycle)}::int[])
             WITH ORDINALITY AS v(ticket_id, cycle, ord)
        CROSS JOIN (SELECT pg_get_serial_sequence('surveys', 'id')::regclass AS seq) q
        JOIN tickets t ON t.id = v.ticket_id
        JOIN contacts c ON c.id = t.requester_id
        JOIN customers cu ON cu.id = t.customer_id
        LEFT JOIN surveys s ON s.kind = 'csat' AND s.ticket_id = t.id AND s.solve_cycle = v.cycle`.execute(
      db(tx),
    );
    return rows;
  }

  /**
   * Serialises survey creation per contact (so the throttle holds under concurrency), for many
   * contacts in one order: two batches never wait on each other in a cycle.
   */
  async lockContacts(tx: Tx, contactIds: readonly string[]): Promise<void> {
    const keys = [...new Set(contactIds.map((id) => Number(id) % 2_147_483_647))].sort(
      (a, b) => a - b,
    );
    if (keys.length === 0) return;
    await sql`SELECT count(pg_advisory_xact_lock(7422002, k)) FROM (SELECT k FROM unnest(${keys}::int[]) k ORDER BY k) x`.execute(
      db(tx),
    );
  }

  /** Of these contacts, the ones surveyed within `days` (the throttle). */
  async surveyedWithinMany(
    tx: Tx,
    contactIds: readonly string[],
    days: number,
  ): Promise<Set<string>> {
    if (contactIds.length === 0) return new Set();
    const rows = await db(tx)
      .selectFrom('surveys')
      .select('surveys.contactId as id')
      .distinct()
      .where('surveys.contactId', '=', anyId(contactIds))
      .where('surveys.createdAt', '>', sql<Date>`now() - make_interval(days => ${days})`)
      .$narrowType<{ id: NotNull }>()
      .execute();
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Inserts CSAT surveys set-based, already `sending` (delivery starts after the commit), with the
   * ids {@link csatTickets} drew and their token hashes: one write per survey row, no UPDATE of
   * the token afterwards. A solve that got its survey from someone else meanwhile is skipped (no
   * row returned for it).
   */
  async insertCsatMany(
    tx: Tx,
    rows: readonly {
      id: string;
      ticketId: string;
      solveCycle: number;
      contactId: string;
      customerId: string;
      teamId: string | null;
      agentId: string | null;
      salt: string;
      tokenHash: string;
    }[],
    expiresInDays: number,
  ): Promise<SurveyRow[]> {
    if (rows.length === 0) return [];
    const col = <K extends keyof (typeof rows)[number]>(k: K) => rows.map((r) => r[k]);
    return db(tx)
      .insertInto('surveys')
      .columns([
        'id',
        'kind',
        'ticketId',
        'solveCycle',
        'contactId',
        'customerId',
        'teamId',
        'agentId',
        'tokenSalt',
        'tokenHash',
        'expiresAt',
        'sendingAt',
      ])
      .expression(
        // the ids come from the identity sequence (csatTickets), hence OVERRIDING SYSTEM VALUE
        sql`OVERRIDING SYSTEM VALUE
            SELECT v.id, 'csat', v.ticket_id, v.cycle, v.contact_id, v.customer_id, v.team_id, v.agent_id,
                   v.salt, v.hash, now() + make_interval(days => ${expiresInDays}), now()
              FROM unnest(${col('id')}::bigint[], ${col('ticketId')}::bigint[], ${col('solveCycle')}::int[],
                          ${col('contactId')}::bigint[], ${col('customerId')}::bigint[], ${col('teamId')}::bigint[],
                          ${col('agentId')}::bigint[], ${col('salt')}::text[], ${col('tokenHash')}::text[])
                   AS v(id, ticket_id, cycle, contact_id, customer_id, team_id, agent_id, salt, hash)`,
      )
      .onConflict((oc) => oc.doNothing())
      .returning(SURVEY_COLUMNS)
      .$narrowType<{ contactId: NotNull }>()
      .execute();
  }

  async setTokenHashes(tx: Tx, items: { id: string; hash: string }[]): Promise<void> {
    if (items.length === 0) return;
    await sql`UPDATE surveys s SET token_hash = v.hash
                FROM unnest(${items.map((i) => i.id)}::bigint[], ${items.map((i) => i.hash)}::text[]) AS v(id, hash)
               WHERE s.id = v.id`.execute(db(tx));
  }

  /** A survey with its contact, customer and ticket: what delivery and the page need. */
  private contextQuery(tx: Tx) {
    return db(tx)
      .selectFrom('surveys')
      .innerJoin('contacts', 'contacts.id', 'surveys.contactId')
      .innerJoin('customers', 'customers.id', 'surveys.customerId')
      .leftJoin('tickets', 'tickets.id', 'surveys.ticketId')
      .select(SURVEY_COLUMNS)
      .select((eb) => [
        'contacts.name as contactName',
        'contacts.email as contactEmail',
        'contacts.surveyOptOut',
        sql<boolean>`${eb.ref('contacts.emailBouncingAt')} IS NOT NULL`.as('bouncing'),
        'surveys.sendingAt',
        'surveys.dataSentAt',
        'customers.name as customerName',
        'tickets.subject as ticketSubject',
      ])
      .$narrowType<{ contactId: NotNull }>();
  }

  async context(tx: Tx, id: string): Promise<SurveyContext | null> {
    const row = await this.contextQuery(tx).where('surveys.id', '=', id).executeTakeFirst();
    return row ?? null;
  }

  async contextByTokenHash(tx: Tx, hash: string, lock: boolean): Promise<SurveyContext | null> {
    let q = this.contextQuery(tx).where('surveys.tokenHash', '=', hash);
    if (lock) q = q.forUpdate('surveys');
    const row = await q.executeTakeFirst();
    return row ?? null;
  }

  /** A delivery starts (committed before the SMTP transaction); false when already sent. */
  async markSending(tx: Tx, id: string): Promise<boolean> {
    const row = await db(tx)
      .updateTable('surveys')
      .set({ sendingAt: sql<Date>`now()`, dataSentAt: null })
      .where('surveys.id', '=', id)
      .where('surveys.sentAt', 'is', null)
      .returning('surveys.id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * The whole survey mail went to the server; only its answer is missing. Compiled here (typed),
   * run by the SendJournal on its own connections, so the mark never waits for a pooled one.
   */
  dataSentQuery(tx: Tx, id: string): CompiledQuery {
    return db(tx)
      .updateTable('surveys')
      .set({ dataSentAt: sql<Date>`clock_timestamp()` })
      .where('surveys.id', '=', id)
      .where('surveys.sentAt', 'is', null)
      .compile();
  }

  /**
   * {@link dataSentQuery} for many surveys (the final dots of one turn of the event loop) that
   * also records them as sent, for the CSAT batch: one write per survey after its insert instead
   * of two (the final dot, then the server's answer). The server has the whole message at the
   * final dot; what a worker killed after it does is the same either way (a survey handed over
   * counts as sent, decision 28), and a refusal at the dot undoes the mark ({@link clearSending}
   * with `handedOver`). Run by the journal (asynchronous commit, as before); {@link sentBarrier}
   * makes it durable before the job ends.
   */
  handedOverManyQuery(tx: Tx, ids: readonly string[]): CompiledQuery {
    return db(tx)
      .updateTable('surveys')
      .from(sql<{ at: Date }>`(SELECT clock_timestamp() AS at)`.as('mark'))
      .set({ dataSentAt: sql<Date>`mark.at`, sentAt: sql<Date>`mark.at` })
      .where('surveys.id', '=', anyId(ids))
      .where('surveys.sentAt', 'is', null)
      .compile();
  }

  /**
   * After the server accepted these surveys: records `sent_at` for any whose hand-over mark is
   * missing (not recorded, or its hook came late), and makes the marks durable. The journal
   * commits asynchronously, and `sent_at` is now the only record of a send, so it must not be
   * lost with a crash of PostgreSQL: this statement always commits a transaction id
   * (`pg_current_xact_id()`) synchronously, which flushes the WAL up to it, the earlier marks
   * included. It writes no row when every mark is there (one statement per turn of the event
   * loop, like the `sent_at` UPDATE it replaces, without that UPDATE's row versions).
   */
  async sentBarrier(tx: Tx, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await db(tx)
      .updateTable('surveys')
      .from(sql<{ xid: string }>`(SELECT pg_current_xact_id() AS xid)`.as('durable'))
      .set({ sentAt: sql<Date>`now()` })
      .where('surveys.id', '=', anyId(ids))
      .where('surveys.sentAt', 'is', null)
      .execute();
  }

  /**
   * The delivery failed (the job retries): the message was not handed over, or the server
   * refused it at the final dot. `handedOver`: the survey's `sent_at` may be the hand-over mark's
   * ({@link handedOverManyQuery}, equal to `data_sent_at`), which is undone too; a `sent_at`
   * recorded after the server accepted the message stays.
   */
  async clearSending(tx: Tx, id: string, handedOver = false): Promise<void> {
    await db(tx)
      .updateTable('surveys')
      .set(
        handedOver
          ? { sendingAt: null, dataSentAt: null, sentAt: null }
          : { sendingAt: null, dataSentAt: null },
      )
      .where('surveys.id', '=', id)
      .where((eb) =>
        handedOver
          ? eb.or([
              eb('surveys.sentAt', 'is', null),
              eb('surveys.sentAt', '=', eb.ref('surveys.dataSentAt')),
            ])
          : eb('surveys.sentAt', 'is', null),
      )
      .execute();
  }

  async markSent(tx: Tx, id: string): Promise<boolean> {
    const row = await db(tx)
      .updateTable('surveys')
      .set({ sentAt: sql<Date>`now()` })
      .where('surveys.id', '=', id)
      .where('surveys.sentAt', 'is', null)
      .returning('surveys.id')
      .executeTakeFirst();
    return row !== undefined;
  }

  async markReminded(tx: Tx, id: string): Promise<boolean> {
    const row = await db(tx)
      .updateTable('surveys')
      .set({ remindedAt: sql<Date>`now()` })
      .where('surveys.id', '=', id)
      .where('surveys.remindedAt', 'is', null)
      .returning('surveys.id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Saves the form: a score (null keeps the recorded one; the first one sets `responded_at`),
   * the CES and the comment when given (undefined leaves them), and the form's next nonce.
   */
  async saveResponse(
    tx: Tx,
    id: string,
    r: { score: number | null; cesScore?: number | null; comment?: string | null; nonce: string },
  ): Promise<void> {
    await db(tx)
      .updateTable('surveys')
      .set((eb) => ({
        score: sql<number | null>`coalesce(${r.score}, ${eb.ref('surveys.score')})`,
        ...(r.cesScore !== undefined ? { cesScore: r.cesScore } : {}),
        ...(r.comment !== undefined ? { comment: r.comment } : {}),
        respondedAt: sql<Date | null>`CASE WHEN coalesce(${r.score}, ${eb.ref('surveys.score')}) IS NOT NULL
          THEN coalesce(${eb.ref('surveys.respondedAt')}, now()) ELSE ${eb.ref('surveys.respondedAt')} END`,
        formNonce: r.nonce,
      }))
      .where('surveys.id', '=', id)
      .execute();
  }

  async hasRecoveryFollowUp(tx: Tx, surveyId: string): Promise<boolean> {
    const row = await db(tx)
      .selectFrom('followUps')
      .select(sql.lit(1).as('one'))
      .where('followUps.surveyId', '=', surveyId)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The team's active lead, time zone and business hours (jsonb read as text: its keys stay as stored). */
  async teamLead(
    tx: Tx,
    teamId: string,
  ): Promise<{
    leadId: string | null;
    timezone: string | null;
    businessHours: Record<string, [string, string][]> | null;
  }> {
    const row = await db(tx)
      .selectFrom('teams')
      .leftJoin('users', (j) =>
        j.onRef('users.id', '=', 'teams.leadId').on('users.active', '=', true),
      )
      .select((eb) => [
        // the lead only while active: a deactivated lead gets no follow-ups (the admin does)
        'users.id as leadId',
        'teams.timezone',
        sql<string | null>`${eb.ref('teams.businessHours')}::text`.as('businessHoursText'),
      ])
      .where('teams.id', '=', teamId)
      .executeTakeFirst();
    if (!row) return { leadId: null, timezone: null, businessHours: null };
    return {
      leadId: row.leadId,
      timezone: row.timezone,
      businessHours:
        row.businessHoursText === null
          ? null
          : (JSON.parse(row.businessHoursText) as Record<string, [string, string][]>),
    };
  }

  async anyAdmin(tx: Tx): Promise<string | null> {
    const row = await db(tx)
      .selectFrom('users')
      .select('users.id')
      .where('users.role', '=', 'admin')
      .where('users.active', '=', true)
      .orderBy('users.id')
      .limit(1)
      .executeTakeFirst();
    return row?.id ?? null;
  }

  /**
   * Creates NPS surveys, set-based, for contacts of active customers who have not had an NPS survey
   * in this period, nor any survey within the throttle window, and did not opt out.
   */
  async createNpsBatch(
    tx: Tx,
    period: string,
    periodDays: number,
    throttleDays: number,
    expiryDays: number,
    limit: number,
  ): Promise<{ id: string; tokenSalt: string }[]> {
    return db(tx)
      .insertInto('surveys')
      .columns(['kind', 'contactId', 'customerId', 'period', 'tokenSalt', 'tokenHash', 'expiresAt'])
      .expression(
        sql`SELECT 'nps', c.id, c.customer_id, ${period}, salt, 'pending:' || salt, now() + make_interval(days => ${expiryDays})
              FROM (SELECT c.*, md5(random()::text || clock_timestamp()::text || c.id::text) AS salt FROM contacts c) c
              JOIN customers cu ON cu.id = c.customer_id AND cu.status = 'active'
             WHERE NOT c.survey_opt_out AND c.email_bouncing_at IS NULL
               AND NOT EXISTS (SELECT 1 FROM surveys s WHERE s.contact_id = c.id
                                 AND s.created_at > now() - make_interval(days => ${throttleDays}))
               AND NOT EXISTS (SELECT 1 FROM surveys s WHERE s.contact_id = c.id AND s.kind = 'nps'
                                 AND s.created_at > now() - make_interval(days => ${periodDays}))
             ORDER BY c.id
             LIMIT ${limit}`,
      )
      .onConflict((oc) => oc.doNothing())
      .returning(['surveys.id', 'surveys.tokenSalt'])
      .execute();
  }

  async byTicketIds(tx: Tx, ids: readonly string[]): Promise<SurveyRow[]> {
    return db(tx)
      .selectFrom('surveys')
      .select(SURVEY_COLUMNS)
      .where('surveys.ticketId', '=', anyId(ids))
      .orderBy('surveys.id')
      .$narrowType<{ contactId: NotNull }>()
      .execute();
  }

  /** The latest `limitEach` surveys of each customer (a window per customer). */
  async byCustomerIds(tx: Tx, ids: readonly string[], limitEach: number): Promise<SurveyRow[]> {
    const { rows } = await sql<SurveyRow>`
      SELECT x.id::text, x.kind, x.ticket_id::text AS "ticketId", x.solve_cycle AS "solveCycle",
             x.contact_id::text AS "contactId", x.customer_id::text AS "customerId", x.team_id::text AS "teamId",
             x.agent_id::text AS "agentId", x.token_salt AS "tokenSalt", x.form_nonce AS "formNonce",
             x.created_at AS "createdAt", x.sent_at AS "sentAt", x.reminded_at AS "remindedAt", x.expires_at AS "expiresAt",
             x.responded_at AS "respondedAt", x.score, x.ces_score AS "cesScore", x.comment
        FROM (
          SELECT s.*, row_number() OVER (PARTITION BY s.customer_id ORDER BY s.created_at DESC, s.id DESC) AS rn
            FROM surveys s WHERE s.customer_id = ANY(${[...ids]}::bigint[])
        ) x
       WHERE x.rn <= ${limitEach}
       ORDER BY x.customer_id, x.created_at DESC`.execute(db(tx));
    return rows;
  }

  /** Survey KPIs over [from, to), grouped by one key (survey-stats.sql.ts). */
  stats(
    tx: Tx,
    f: { from: Date; to: Date; teamIds?: string[]; agentIds?: string[] },
    group: StatsGroup,
  ): Promise<StatsRow[]> {
    return surveyStats(tx, f, group);
  }
}
