import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Tx, db } from '@staydesk/core';
import { recordMrrHistory } from '@staydesk/customers';
import type { CustomerRecord, TicketImport } from './import-records';

/**
 * The merge's set-based upserts (customers, contacts, tickets and their history). Each is one
 * statement over `unnest` of column arrays with ON CONFLICT: typed SQL templates (decision 46),
 * their result rows typed from db.generated.ts.
 */

/** A ticket row as written (ids resolved). */
export interface TicketWrite extends TicketImport {
  customerId: string;
  requesterId: string;
}

/** What an upsert returns of each row it inserted or changed. */
interface Upserted {
  id: string;
  externalId: string;
  inserted: boolean;
}

const PLACEHOLDER_NAME = 'Unknown requester (imported)';
export const placeholderEmail = (source: string) => `unknown-requester@${source}.import.invalid`;

@Injectable()
export class ImportMergeRepository {
  /** Users by lower-cased e-mail and by lower-cased name (a name shared by two users matches neither). */
  async userDirectory(tx: Tx): Promise<Map<string, string>> {
    const rows = await db(tx)
      .selectFrom('users')
      .select((eb) => [
        'users.id',
        eb.fn<string>('lower', ['users.email']).as('email'),
        eb.fn<string>('lower', ['users.name']).as('name'),
      ])
      .execute();
    const out = new Map<string, string>();
    const names = new Map<string, number>();
    for (const r of rows) names.set(r.name, (names.get(r.name) ?? 0) + 1);
    for (const r of rows) {
      if (names.get(r.name) === 1) out.set(r.name, r.id);
    }
    for (const r of rows) out.set(r.email, r.id);
    return out;
  }

  private async byExternalId(
    tx: Tx,
    source: string,
    externalIds: string[],
  ): Promise<{ id: string; externalId: string | null; status: string }[]> {
    return db(tx)
      .selectFrom('customers')
      .select(['customers.id', 'customers.externalId', 'customers.status'])
      .where('customers.externalSource', '=', source)
      .where('customers.externalId', 'in', externalIds)
      .execute();
  }

  /**
   * Upserts customers by (source, external id). Unchanged rows are left alone (skipped); a
   * status that changes is recorded in customer_status_changes like a churn made in the app.
   */
  async upsertCustomers(
    tx: Tx,
    source: string,
    records: CustomerRecord[],
  ): Promise<{ created: number; updated: number; skipped: number; statusChanges: number }> {
    const ids = records.map((r) => r.externalId);
    const col = <T>(f: (r: CustomerRecord) => T) => records.map(f);
    const before = ids.length ? await this.byExternalId(tx, source, ids) : [];
    const prior = new Map(before.map((b) => [b.externalId, b.status]));
    // eslint-disable-next-line staydesk/own-tables -- the importer's set-based merge writes each kind in one statement per batch (decision 57); the owner's row-at-a-time API would be far slower
    const { rows: changed } = await sql<Upserted>`
      INSERT INTO customers AS c (external_source, external_id, name, domain, tier, mrr, status, customer_since,
                                  churned_at, renewal_date, account_manager_id, custom_fields)
      SELECT ${source}, i.external_id, i.name, i.domain, i.tier, i.mrr, i.status,
             least(coalesce(i.customer_since, e.customer_since, now()),
                   (SELECT min(t.created_at) FROM tickets t
                     WHERE t.customer_id = e.id AND t.external_id IS NOT NULL)),
             i.churned_at, i.renewal_date,
             coalesce(i.am, e.account_manager_id), coalesce(e.custom_fields, '{}') || i.custom
        FROM unnest(${ids}::text[], ${col((r) => r.name)}::text[], ${col((r) => r.domain)}::text[],
                    ${col((r) => r.tier)}::text[], ${col((r) => r.mrr)}::numeric[], ${col((r) => r.status)}::text[],
                    ${col((r) => r.customerSince)}::timestamptz[], ${col((r) => r.churnedAt)}::timestamptz[],
                    ${col((r) => r.renewalDate)}::date[], ${col((r) => r.accountManagerId)}::bigint[],
                    ${col((r) => JSON.stringify(r.customFields))}::jsonb[])
             AS i(external_id, name, domain, tier, mrr, status, customer_since, churned_at, renewal_date, am, custom)
        LEFT JOIN customers e ON e.external_source = ${source} AND e.external_id = i.external_id
      ON CONFLICT (external_source, external_id) WHERE external_id IS NOT NULL DO UPDATE SET
        name = EXCLUDED.name, domain = EXCLUDED.domain, tier = EXCLUDED.tier, mrr = EXCLUDED.mrr,
        status = EXCLUDED.status, customer_since = EXCLUDED.customer_since, churned_at = EXCLUDED.churned_at,
        renewal_date = EXCLUDED.renewal_date, account_manager_id = EXCLUDED.account_manager_id,
        custom_fields = EXCLUDED.custom_fields, updated_at = now()
      WHERE (c.name, c.domain, c.tier, c.mrr, c.status, c.customer_since, c.churned_at, c.renewal_date,
             c.account_manager_id, c.custom_fields)
            IS DISTINCT FROM
            (EXCLUDED.name, EXCLUDED.domain, EXCLUDED.tier, EXCLUDED.mrr, EXCLUDED.status, EXCLUDED.customer_since,
             EXCLUDED.churned_at, EXCLUDED.renewal_date, EXCLUDED.account_manager_id, EXCLUDED.custom_fields)
      RETURNING c.id::text, c.external_id AS "externalId", (xmax = 0) AS inserted`.execute(db(tx));
    const byExt = new Map(records.map((r) => [r.externalId, r]));
    const changes = changed.flatMap((c) => {
      const r = byExt.get(c.externalId)!;
      const from = c.inserted ? 'active' : prior.get(c.externalId);
      if (from === r.status) return [];
      return [
        {
          customerId: c.id,
          fromStatus: from ?? 'active',
          toStatus: r.status,
          reason: 'imported',
          changedAt: r.status === 'churned' ? r.churnedAt! : new Date(),
        },
      ];
    });
    if (changes.length) {
      // eslint-disable-next-line staydesk/own-tables -- the importer's set-based merge writes each kind in one statement per batch (decision 57); the owner's row-at-a-time API would be far slower
      await db(tx).insertInto('customerStatusChanges').values(changes).execute();
    }
    // MRR history for lifetime value (a row without MRR is recorded as unknown)
    await recordMrrHistory(
      tx,
      changed.map((c) => {
        const r = byExt.get(c.externalId)!;
        return { customerId: c.id, mrr: r.mrrKnown === false ? null : r.mrr };
      }),
      'import',
      null,
    );
    const created = changed.filter((c) => c.inserted).length;
    return {
      created,
      updated: changed.length - created,
      skipped: records.length - changed.length,
      statusChanges: changes.length,
    };
  }

  /**
   * Customers referenced by tickets or events, by external id: created when missing (named
   * after the row, or the id), never renamed. "Customer since" is the earliest of everything
   * imported for the customer: a ticket older than it moves it back (across batches and
   * re-runs), so a customer is never dated after its own first ticket.
   */
  async ensureCustomers(
    tx: Tx,
    source: string,
    wanted: { externalId: string; name: string | null; since: Date }[],
  ): Promise<{ ids: Map<string, string>; created: number; sinceMoved: number }> {
    // eslint-disable-next-line staydesk/own-tables -- the importer's set-based merge writes each kind in one statement per batch (decision 57); the owner's row-at-a-time API would be far slower
    const { rows } = await sql<Upserted>`
      INSERT INTO customers AS c (external_source, external_id, name, customer_since)
      SELECT ${source}, x.e, coalesce(x.n, x.e),
             -- this batch's earliest ticket, or an earlier one imported before (by an earlier
             -- batch, file or run): tickets_customer_idx, one lookup per customer
             least(x.s, (SELECT min(t.created_at) FROM tickets t
                          WHERE t.external_id IS NOT NULL AND t.customer_id =
                                (SELECT o.id FROM customers o WHERE o.external_source = ${source} AND o.external_id = x.e)))
        FROM unnest(${wanted.map((w) => w.externalId)}::text[], ${wanted.map((w) => w.name)}::text[],
                    ${wanted.map((w) => w.since)}::timestamptz[]) AS x(e, n, s)
      ON CONFLICT (external_source, external_id) WHERE external_id IS NOT NULL DO UPDATE
        SET customer_since = EXCLUDED.customer_since, updated_at = now()
        WHERE EXCLUDED.customer_since < c.customer_since
      RETURNING c.id::text, c.external_id AS "externalId", (xmax = 0) AS inserted`.execute(db(tx));
    const ids = new Map(rows.map((r) => [r.externalId, r.id]));
    const missing = wanted.filter((w) => !ids.has(w.externalId)).map((w) => w.externalId);
    if (missing.length) {
      for (const r of await this.byExternalId(tx, source, missing)) {
        if (r.externalId !== null) ids.set(r.externalId, r.id);
      }
    }
    // new customers' MRR is not known (lifetime value says unknown rather than 0)
    await recordMrrHistory(
      tx,
      rows.filter((r) => r.inserted).map((r) => ({ customerId: r.id, mrr: null })),
      'import',
      null,
    );
    const created = rows.filter((r) => r.inserted).length;
    return { ids, created, sinceMoved: rows.length - created };
  }

  /**
   * Requesters by (customer, e-mail), created when missing; tickets without one get the
   * customer's "unknown requester" contact, opted out of surveys.
   */
  async ensureContacts(
    tx: Tx,
    source: string,
    wanted: { customerId: string; email: string | null; name: string | null }[],
  ): Promise<{ id: (customerId: string, email: string | null) => string; created: number }> {
    const key = (c: string, e: string | null) => `${c} ${e ?? placeholderEmail(source)}`;
    const unique = new Map<
      string,
      { customerId: string; email: string; name: string; surveyOptOut: boolean }
    >();
    for (const w of wanted) {
      const email = w.email ?? placeholderEmail(source);
      unique.set(key(w.customerId, w.email), {
        customerId: w.customerId,
        email,
        name: w.email ? (w.name ?? email.split('@')[0]) : PLACEHOLDER_NAME,
        surveyOptOut: !w.email,
      });
    }
    const list = [...unique.values()];
    if (!list.length) return { id: () => this.noContact(), created: 0 };
    const inserted = await db(tx)
      // eslint-disable-next-line staydesk/own-tables -- the importer's set-based merge writes each kind in one statement per batch (decision 57); the owner's row-at-a-time API would be far slower
      .insertInto('contacts')
      .values(list)
      .onConflict((oc) => oc.expression(sql`customer_id, lower(email)`).doNothing())
      .returning('contacts.id')
      .execute();
    const { rows } = await sql<{ id: string; customerId: string; email: string }>`
      SELECT c.id::text, c.customer_id::text AS "customerId", lower(c.email) AS email
        FROM contacts c JOIN unnest(${list.map((c) => c.customerId)}::bigint[], ${list.map((c) => c.email)}::text[])
             AS x(cid, email) ON c.customer_id = x.cid AND lower(c.email) = lower(x.email)`.execute(
      db(tx),
    );
    const ids = new Map(rows.map((r) => [`${r.customerId} ${r.email}`, r.id]));
    return {
      id: (customerId, email) => {
        const id = ids.get(key(customerId, email));
        if (!id) throw new Error(`contact for customer ${customerId} missing after upsert`);
        return id;
      },
      created: inserted.length,
    };
  }

  private noContact(): never {
    throw new Error('no contact was asked for');
  }

  /**
   * Upserts tickets by (source, external id). A ticket whose import digest is unchanged is not
   * touched; for the others the imported history is replaced (events an agent made in
   * Staydesk since are kept) and a satisfaction rating becomes an answered CSAT survey.
   */
  async upsertTickets(
    tx: Tx,
    source: string,
    tickets: TicketWrite[],
  ): Promise<{ created: TicketWrite[]; updated: TicketWrite[]; events: number }> {
    if (!tickets.length) return { created: [], updated: [], events: 0 };
    const lastAt = (t: TicketWrite) =>
      t.events.reduce((m, e) => (e.at > m ? e.at : m), t.createdAt);
    const col = <T>(f: (t: TicketWrite) => T) => tickets.map(f);
    // eslint-disable-next-line staydesk/own-tables -- the importer's set-based merge writes each kind in one statement per batch (decision 57); the owner's row-at-a-time API would be far slower
    const { rows } = await sql<Upserted>`
      INSERT INTO tickets AS t (external_source, external_id, import_hash, customer_id, requester_id, subject,
                                channel, priority, status, assignee_id, tags, created_at, updated_at,
                                first_response_at, solved_at, closed_at, reopen_count, solve_count,
                                custom_fields, search)
      SELECT ${source}, i.external_id, i.hash, i.customer_id, i.requester_id, i.subject, i.channel, i.priority,
             i.status, i.assignee_id, coalesce(string_to_array(nullif(i.tags, ''), ' '), '{}'),
             i.created_at, i.updated_at, i.first_response_at, i.solved_at, i.closed_at, i.reopen_count,
             i.solve_count, i.custom, to_tsvector('english', i.subject)
        FROM unnest(${col((t) => t.externalId)}::text[], ${col((t) => t.hash)}::text[],
                    ${col((t) => t.customerId)}::bigint[], ${col((t) => t.requesterId)}::bigint[],
                    ${col((t) => t.subject)}::text[], ${col((t) => t.channel)}::text[],
                    ${col((t) => t.priority)}::text[], ${col((t) => t.status)}::text[],
                    ${col((t) => t.assigneeId)}::bigint[], ${col((t) => t.tags.join(' '))}::text[],
                    ${col((t) => t.createdAt)}::timestamptz[], ${col(lastAt)}::timestamptz[],
                    ${col((t) => t.firstResponseAt)}::timestamptz[], ${col((t) => t.solvedAt)}::timestamptz[],
                    ${col((t) => t.closedAt)}::timestamptz[], ${col((t) => t.reopenCount)}::int[],
                    ${col((t) => t.solveCount)}::int[], ${col((t) => JSON.stringify(t.customFields))}::jsonb[])
             AS i(external_id, hash, customer_id, requester_id, subject, channel, priority, status, assignee_id,
                  tags, created_at, updated_at, first_response_at, solved_at, closed_at, reopen_count,
                  solve_count, custom)
      ON CONFLICT (external_source, external_id) WHERE external_id IS NOT NULL DO UPDATE SET
        import_hash = EXCLUDED.import_hash, customer_id = EXCLUDED.customer_id,
        requester_id = EXCLUDED.requester_id, subject = EXCLUDED.subject, channel = EXCLUDED.channel,
        priority = EXCLUDED.priority, status = EXCLUDED.status,
        assignee_id = coalesce(EXCLUDED.assignee_id, t.assignee_id), tags = EXCLUDED.tags,
        created_at = EXCLUDED.created_at, updated_at = now(), first_response_at = EXCLUDED.first_response_at,
        solved_at = EXCLUDED.solved_at, closed_at = EXCLUDED.closed_at, reopen_count = EXCLUDED.reopen_count,
        solve_count = EXCLUDED.solve_count, custom_fields = t.custom_fields || EXCLUDED.custom_fields,
        search = EXCLUDED.search, version = t.version + 1
      WHERE t.import_hash IS DISTINCT FROM EXCLUDED.import_hash
      RETURNING t.id::text, t.external_id AS "externalId", (xmax = 0) AS inserted`.execute(db(tx));
    const byExt = new Map(tickets.map((t) => [t.externalId, t]));
    const created: TicketWrite[] = [];
    const updated: TicketWrite[] = [];
    const updatedIds: string[] = [];
    const events = rows.flatMap((r) => {
      const t = byExt.get(r.externalId)!;
      (r.inserted ? created : updated).push(t);
      if (!r.inserted) updatedIds.push(r.id);
      return t.events.map((e) => ({
        ticketId: r.id,
        actorId: e.actorId,
        type: e.type,
        fromValue: e.from,
        toValue: e.to,
        createdAt: e.at,
      }));
    });
    if (updatedIds.length) {
      await db(tx)
        // eslint-disable-next-line staydesk/own-tables -- the importer's set-based merge writes each kind in one statement per batch (decision 57); the owner's row-at-a-time API would be far slower
        .deleteFrom('ticketEvents')
        .where('ticketEvents.ticketId', 'in', updatedIds)
        .where('ticketEvents.imported', '=', true)
        .execute();
    }
    if (events.length) {
      const ec = <T>(f: (e: (typeof events)[number]) => T) => events.map(f);
      // eslint-disable-next-line staydesk/own-tables -- the importer's set-based merge writes each kind in one statement per batch (decision 57); the owner's row-at-a-time API would be far slower
      await sql`
        INSERT INTO ticket_events (ticket_id, actor_id, type, from_value, to_value, created_at, imported)
        SELECT t, a, ty, f, tv, at, true
          FROM unnest(${ec((e) => e.ticketId)}::bigint[], ${ec((e) => e.actorId)}::bigint[],
                      ${ec((e) => e.type)}::text[], ${ec((e) => e.fromValue)}::text[],
                      ${ec((e) => e.toValue)}::text[], ${ec((e) => e.createdAt)}::timestamptz[])
               AS x(t, a, ty, f, tv, at)`.execute(db(tx));
    }
    const rated = rows.flatMap((r) => {
      const t = byExt.get(r.externalId)!;
      return t.satisfaction !== null ? [{ id: r.id, t }] : [];
    });
    if (rated.length) {
      const rc = <T>(f: (r: { id: string; t: TicketWrite }) => T) => rated.map(f);
      // eslint-disable-next-line staydesk/own-tables -- the importer's set-based merge writes each kind in one statement per batch (decision 57); the owner's row-at-a-time API would be far slower
      await sql`
        INSERT INTO surveys (kind, ticket_id, solve_cycle, contact_id, customer_id, agent_id, token_salt,
                             token_hash, created_at, sent_at, expires_at, responded_at, score)
        SELECT 'csat', x.tid, x.cycle, x.contact, x.customer, x.agent, 'imported',
               encode(sha256(convert_to('imported:' || x.tid || ':' || gen_random_uuid(), 'UTF8')), 'hex'),
               x.at, x.at, x.at, x.at, x.score
          FROM unnest(${rc((r) => r.id)}::bigint[], ${rc((r) => Math.max(1, r.t.solveCount))}::int[],
                      ${rc((r) => r.t.requesterId)}::bigint[], ${rc((r) => r.t.customerId)}::bigint[],
                      ${rc((r) => r.t.assigneeId)}::bigint[], ${rc((r) => r.t.solvedAt)}::timestamptz[],
                      ${rc((r) => r.t.satisfaction)}::smallint[]) AS x(tid, cycle, contact, customer, agent, at, score)
        ON CONFLICT (ticket_id, solve_cycle) WHERE kind = 'csat'
        DO UPDATE SET score = EXCLUDED.score, responded_at = coalesce(surveys.responded_at, EXCLUDED.responded_at)`.execute(
        db(tx),
      );
    }
    return { created, updated, events: events.length };
  }
}
