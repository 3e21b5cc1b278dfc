import { Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { Tx, compileOnly, db, withParameters } from '@staydesk/core';
import { EmailInboundRepository, MessageMailRow, anyId, anyText } from './email.repository.inbound';

export type { InboundRow, MailStatus, MessageMailRow } from './email.repository.inbound';

/** Everything the worker needs to mail one public reply. */
export interface ReplyContext {
  messageId: string;
  kind: string;
  body: string;
  ticketId: string;
  ticketNumber: number;
  subject: string;
  requesterEmail: string;
  requesterName: string;
  agentName: string | null;
  teamName: string | null;
  teamFromName: string | null;
  teamFromAddress: string | null;
  teamSignature: string | null;
  mail: Pick<MessageMailRow, 'status' | 'messageId' | 'ccAddresses'> & {
    /** Set when a send handed the whole message to the server (see markDataSent). */
    dataSentAt: string | null;
  };
}

export interface TeamSenderRow {
  teamId: string;
  fromName: string | null;
  fromAddress: string | null;
  signature: string | null;
}

/** Read once per mailed reply (the outbound hot path): built and compiled once (decision 61). */
const REPLY_CONTEXTS = compileOnly
  .selectFrom('ticketMessages as m')
  .innerJoin('tickets as t', 't.id', 'm.ticketId')
  .innerJoin('contacts as c', 'c.id', 't.requesterId')
  .innerJoin('messageMail as mm', 'mm.ticketMessageId', 'm.id')
  .leftJoin('users as u', 'u.id', 'm.authorUserId')
  .leftJoin('teams as tm', 'tm.id', 't.teamId')
  .select((eb) => [
    'm.id as messageId',
    'm.kind',
    'm.body',
    't.id as ticketId',
    't.number as ticketNumber',
    't.subject',
    'c.email as requesterEmail',
    'c.name as requesterName',
    'u.name as agentName',
    'tm.name as teamName',
    'tm.mailFromName as teamFromName',
    'tm.mailFromAddress as teamFromAddress',
    'tm.mailSignature as teamSignature',
    // keys already camelCase, so the plugin's mapping of nested objects leaves them alone
    sql<ReplyContext['mail']>`json_build_object('status', ${eb.ref('mm.status')},
          'messageId', ${eb.ref('mm.messageId')}, 'ccAddresses', ${eb.ref('mm.ccAddresses')},
          'dataSentAt', ${eb.ref('mm.dataSentAt')})`.as('mail'),
  ])
  .where('m.id', '=', anyId([]))
  .compile();

/**
 * The e-mail channel's tables: inbound mail, message envelopes, team senders, bouncing contacts.
 * One injectable in two layers: {@link EmailInboundRepository} (stored mail, filing, people) ←
 * this file (outbound replies, bounces, team senders, notification settings). Typed SQL
 * (decision 46): the builder ({@link db}) checks tables and columns against db.generated.ts;
 * the reply claim (`FOR UPDATE SKIP LOCKED` in a CTE) and the set-based `sent` mark
 * (`jsonb_to_recordset`) are hand-written `sql<Row>` templates on the same transaction.
 */
@Injectable()
export class EmailRepository extends EmailInboundRepository {
  async contactBounces(
    tx: Tx,
    ids: readonly string[],
  ): Promise<{ id: string; bouncingAt: Date | null; reason: string | null }[]> {
    return db(tx)
      .selectFrom('contacts')
      .select([
        'contacts.id',
        'contacts.emailBouncingAt as bouncingAt',
        'contacts.emailBounceReason as reason',
      ])
      .where('contacts.id', '=', anyId(ids))
      .execute();
  }

  /** The reply's ticket, requester, agent and team sender (compiled once, {@link REPLY_CONTEXTS}). */
  async replyContexts(tx: Tx, ids: readonly string[]): Promise<ReplyContext[]> {
    if (ids.length === 0) return [];
    const { rows } = await db(tx).executeQuery(withParameters(REPLY_CONTEXTS, [[...ids]]));
    return rows;
  }

  /**
   * Claims up to `limit` replies waiting to be mailed (`queued`, or `sending` under an expired
   * claim: its worker died), the `first` ones first, for a claim of `leaseSeconds`. `handed`:
   * the dead worker had already handed the whole message to the server (reconcile, don't resend).
   */
  async claimReplies(
    tx: Tx,
    first: string[],
    limit: number,
    leaseSeconds: number,
  ): Promise<{ id: string; handed: boolean }[]> {
    const { rows } = await sql<{ id: string; handed: boolean }>`
      WITH c AS (
        SELECT ticket_message_id, status, data_sent_at FROM message_mail
         WHERE status IN ('queued', 'sending') AND direction = 'out'
           AND (lease_until IS NULL OR lease_until < now())
         ORDER BY (ticket_message_id = ANY(${first}::bigint[])) DESC, ticket_message_id
         LIMIT ${limit} FOR UPDATE SKIP LOCKED)
      UPDATE message_mail mm SET status = 'sending', lease_until = now() + make_interval(secs => ${leaseSeconds}),
             status_at = CASE WHEN c.status = 'sending' THEN mm.status_at ELSE now() END,
             data_sent_at = CASE WHEN c.status = 'sending' THEN c.data_sent_at END
        FROM c WHERE mm.ticket_message_id = c.ticket_message_id
      RETURNING mm.ticket_message_id::text AS id, (c.status = 'sending' AND c.data_sent_at IS NOT NULL) AS handed`.execute(
      db(tx),
    );
    return rows;
  }

  /** Keeps a batch's claim while it is still sending. */
  async renewLease(tx: Tx, ids: string[], leaseSeconds: number): Promise<void> {
    if (ids.length === 0) return;
    await db(tx)
      .updateTable('messageMail')
      .set({ leaseUntil: sql<Date>`now() + make_interval(secs => ${leaseSeconds})` })
      .where('messageMail.ticketMessageId', '=', anyId(ids))
      .where('messageMail.status', '=', 'sending')
      .execute();
  }

  /** Replies accepted by the server (one statement for many). */
  async markSentMany(tx: Tx, items: { id: string; to: string[] }[]): Promise<void> {
    if (items.length === 0) return;
    // the JSON is a parameter (its snake_case keys are SQL's record columns, not result keys)
    const json = JSON.stringify(items.map((i) => ({ id: i.id, to_addresses: i.to })));
    await sql`
      UPDATE message_mail mm SET status = 'sent', sent_at = now(), status_at = now(), error = NULL,
             lease_until = NULL, to_addresses = v.to_addresses
        FROM jsonb_to_recordset(${json}::jsonb) AS v(id bigint, to_addresses text[])
       WHERE mm.ticket_message_id = v.id AND mm.status IN ('queued', 'sending')`.execute(db(tx));
  }

  /** Message-IDs of each reply's conversation before it, oldest first (for References). */
  async threadsOf(
    tx: Tx,
    ids: readonly string[],
  ): Promise<Map<string, { messageId: string; direction: 'in' | 'out' }[]>> {
    const rows = await db(tx)
      .selectFrom('ticketMessages as m0')
      .innerJoin('ticketMessages as m', (join) =>
        join.onRef('m.ticketId', '=', 'm0.ticketId').onRef('m.id', '<', 'm0.id'),
      )
      .innerJoin('messageMail as mm', 'mm.ticketMessageId', 'm.id')
      .select(['m0.id as forId', 'mm.messageId', 'mm.direction'])
      .where('m0.id', '=', anyId(ids))
      .where((eb) => eb.or([eb('mm.direction', '=', 'in'), eb('mm.status', '=', 'sent')]))
      .orderBy('m0.id')
      .orderBy('m.id')
      .execute();
    const out = new Map<string, { messageId: string; direction: 'in' | 'out' }[]>();
    for (const r of rows) {
      const list = out.get(r.forId) ?? [];
      list.push({ messageId: r.messageId, direction: r.direction });
      out.set(r.forId, list);
    }
    return out;
  }

  /**
   * The whole message went to the server (final dot written); only its answer is missing. `$1`:
   * the replies whose final dots were written in one turn of the event loop (one statement for
   * them, as for surveys). Run by the SendJournal on its own connection (a plain pool, not a Tx:
   * it stays a statement string; the outbound fault test and email e2e run it).
   */
  static readonly DATA_SENT_SQL = `UPDATE message_mail SET data_sent_at = clock_timestamp()
        WHERE ticket_message_id = ANY($1::bigint[]) AND status = 'sending'`;

  /**
   * A send that failed for now (4xx, network): back to `queued` with the reason, to be claimed
   * again after `retrySeconds` (by the next reply job or the minute sweep).
   */
  async markRetrying(
    tx: Tx,
    messageId: string,
    error: string,
    retrySeconds: number,
  ): Promise<void> {
    await db(tx)
      .updateTable('messageMail')
      .set({
        status: 'queued',
        statusAt: sql<Date>`now()`,
        dataSentAt: null,
        error: error.slice(0, 1000),
        leaseUntil: sql<Date>`now() + make_interval(secs => ${retrySeconds})`,
      })
      .where('messageMail.ticketMessageId', '=', messageId)
      .where('messageMail.status', '=', 'sending')
      .execute();
  }

  /** A final state other than sent: refused (5xx), bounced (DSN), or suppressed (bouncing address). */
  async markFailed(
    tx: Tx,
    messageId: string,
    error: string,
    status: 'failed' | 'bounced' | 'suppressed' = 'failed',
  ): Promise<void> {
    await db(tx)
      .updateTable('messageMail')
      .set({
        status,
        statusAt: sql<Date>`now()`,
        dataSentAt: null,
        error: error.slice(0, 1000),
        leaseUntil: null,
      })
      .where('messageMail.ticketMessageId', '=', messageId)
      .execute();
  }

  /** The addresses among these (lower-cased) that are marked bouncing on some contact. */
  async bouncingAddresses(tx: Tx, addresses: string[]): Promise<Set<string>> {
    if (addresses.length === 0) return new Set();
    const lower = addresses.map((a) => a.toLowerCase());
    const rows = await db(tx)
      .selectFrom('contacts')
      .select((eb) => eb.fn<string>('lower', ['contacts.email']).as('email'))
      .distinct()
      .where((eb) => eb(eb.fn('lower', ['contacts.email']), '=', anyText(lower)))
      .where('contacts.emailBouncingAt', 'is not', null)
      .execute();
    return new Set(rows.map((r) => r.email));
  }

  async teamSenders(tx: Tx, ids: readonly string[]): Promise<TeamSenderRow[]> {
    return db(tx)
      .selectFrom('teams')
      .select([
        'teams.id as teamId',
        'teams.mailFromName as fromName',
        'teams.mailFromAddress as fromAddress',
        'teams.mailSignature as signature',
      ])
      .where('teams.id', '=', anyId(ids))
      .execute();
  }

  async notificationSettings(
    tx: Tx,
    userId: string,
  ): Promise<{ assigned: boolean; customerReply: boolean; slaWarning: boolean } | null> {
    const row = await db(tx)
      .selectFrom('users')
      .select([
        'users.notifyAssigned as assigned',
        'users.notifyCustomerReply as customerReply',
        'users.notifySlaWarning as slaWarning',
      ])
      .where('users.id', '=', userId)
      .executeTakeFirst();
    return row ?? null;
  }
}
