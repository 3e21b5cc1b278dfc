import { CompiledQuery, ExpressionBuilder, sql } from 'kysely';
import { DB, Tx, compileOnly, db, withParameters } from '@staydesk/core';

export interface InboundRow {
  id: string;
  messageId: string;
  source: 'smtp' | 'imap';
  mailFrom: string | null;
  rcptTo: string[];
  raw: Buffer;
  status: 'received' | 'processed' | 'ignored' | 'failed';
}

export type MailStatus =
  'received' | 'queued' | 'sending' | 'sent' | 'failed' | 'bounced' | 'suppressed';

export interface MessageMailRow {
  ticketMessageId: string;
  direction: 'in' | 'out';
  messageId: string;
  inReplyTo: string | null;
  refs: string[];
  fromAddress: string | null;
  toAddresses: string[];
  ccAddresses: string[];
  status: MailStatus;
  error: string | null;
  sentAt: Date | null;
  /** When the status was reached. */
  statusAt: Date | null;
  html: string | null;
  fullText: string | null;
}

/** A received message as the receiver or the IMAP poll hands it over. */
interface ReceivedMail {
  messageId: string;
  source: 'smtp' | 'imap';
  mailFrom: string | null;
  rcptTo: string[];
  raw: Buffer;
}

/** `= any($1::text[])` as the right side of a comparison (one array parameter, any length). */
export const anyText = (values: readonly string[]) => sql<string>`any(${values}::text[])`;

/** `= any($1::bigint[])`, for ids. */
export const anyId = (values: readonly string[]) => sql<string>`any(${values}::bigint[])`;

/** `(status = 'active')`, to sort a domain's active customer first. */
const activeFirst = (eb: ExpressionBuilder<DB, 'customers'>) =>
  sql<boolean>`(${eb.ref('customers.status')} = 'active')`;

/**
 * The receiver's INSERT of one mail, and of a group of `n` mails arriving together (one
 * multi-row INSERT … ON CONFLICT DO NOTHING): built and compiled once per group size up to the
 * receiver's largest group (decision 61). Parameters: {@link storeParameters} of each mail in turn.
 */
const storeStatements = new Map<number, CompiledQuery<{ id: string; messageId: string }>>();
function storeStatement(n: number): CompiledQuery<{ id: string; messageId: string }> {
  let q = storeStatements.get(n);
  if (!q) {
    const placeholder = {
      messageId: '',
      source: 'smtp' as const,
      mailFrom: '',
      rcptTo: [],
      raw: Buffer.alloc(0),
      size: 0,
    };
    q = compileOnly
      .insertInto('inboundMails')
      .values(Array.from({ length: n }, () => placeholder))
      .onConflict((oc) => oc.column('messageId').doNothing())
      .returning(['id', 'messageId'])
      .compile();
    if (n <= 64) storeStatements.set(n, q);
  }
  return q;
}

/** A mail's values in the column order of {@link storeStatement}. */
const storeParameters = (m: ReceivedMail) => [
  m.messageId,
  m.source,
  m.mailFrom,
  m.rcptTo,
  m.raw,
  m.raw.length,
];

/** The stored row of a Message-ID delivered before. */
const STORED_BEFORE = compileOnly
  .selectFrom('inboundMails')
  .select(['inboundMails.id', 'inboundMails.status'])
  .where('inboundMails.messageId', '=', '')
  .compile();

/**
 * The inbound half of {@link EmailRepository} (a layer, not an injectable of its own): stored
 * mail (`inbound_mails`), the filing batch's set-based lookups and writes, and the people a mail
 * makes. CRUD and lookups go through the typed builder ({@link db}); the `SKIP LOCKED` claim and
 * the `UPDATE … FROM (VALUES …)` outcome stay hand-written as typed `sql<Row>` templates on the
 * same transaction (decision 46).
 */
export abstract class EmailInboundRepository {
  /**
   * Stores a received message once per Message-ID. Returns the row id and whether this call
   * stored it (false: the same message was delivered before).
   */
  async storeInbound(
    tx: Tx,
    m: ReceivedMail,
  ): Promise<{ id: string; stored: boolean; status: string }> {
    const { rows: inserted } = await db(tx).executeQuery(
      withParameters(storeStatement(1), storeParameters(m)),
    );
    if (inserted[0]) return { id: inserted[0].id, stored: true, status: 'received' };
    const { rows: before } = await db(tx).executeQuery(
      withParameters(STORED_BEFORE, [m.messageId]),
    );
    if (!before[0]) throw new Error(`inbound mail ${m.messageId} neither stored nor found`);
    return { id: before[0].id, stored: false, status: before[0].status };
  }

  /**
   * Stores several received messages with one statement, once per Message-ID (a Message-ID
   * twice in the list, or stored before, is not stored again). Returns, for each in order, the
   * row id, whether this call stored it, and the row's status.
   */
  async storeInboundMany(
    tx: Tx,
    items: ReceivedMail[],
  ): Promise<{ id: string; stored: boolean; status: string }[]> {
    if (items.length === 0) return [];
    // one multi-row INSERT … ON CONFLICT DO NOTHING
    const { rows: inserted } = await db(tx).executeQuery(
      withParameters(storeStatement(items.length), items.flatMap(storeParameters)),
    );
    const fresh = new Map(inserted.map((r) => [r.messageId, r.id]));
    const missing = items.map((m) => m.messageId).filter((id) => !fresh.has(id));
    const before = missing.length
      ? await db(tx)
          .selectFrom('inboundMails')
          .select(['inboundMails.id', 'inboundMails.messageId', 'inboundMails.status'])
          .where('inboundMails.messageId', '=', anyText(missing))
          .execute()
      : [];
    const old = new Map(before.map((r) => [r.messageId, r]));
    const claimed = new Set<string>();
    return items.map((m) => {
      const id = fresh.get(m.messageId);
      if (id !== undefined) {
        const first = !claimed.has(m.messageId);
        claimed.add(m.messageId);
        return { id, stored: first, status: 'received' };
      }
      const r = old.get(m.messageId)!;
      return { id: r.id, stored: false, status: r.status };
    });
  }

  /**
   * Locks up to `limit` stored mails that still wait to be filed, the `first` ones first (or only
   * those with `onlyFirst`); mails another transaction holds are skipped (it is filing them).
   * `held`: stored mails whose bytes the caller still has (the receiver that stored them): their
   * `raw` is not read back (10 KB each, sent as hex), the caller's bytes are returned instead.
   */
  async claimInboundBatch(
    tx: Tx,
    first: string[],
    limit: number,
    onlyFirst = false,
    held: ReadonlyMap<string, Buffer> = new Map(),
  ): Promise<InboundRow[]> {
    const { rows } = await sql<Omit<InboundRow, 'raw'> & { raw: Buffer | null }>`
      SELECT id, message_id AS "messageId", source, mail_from AS "mailFrom", rcpt_to AS "rcptTo",
             CASE WHEN id = ANY(${[...held.keys()]}::bigint[]) THEN NULL ELSE raw END AS raw, status
        FROM inbound_mails
       WHERE status = 'received' AND (${onlyFirst}::boolean IS FALSE OR id = ANY(${first}::bigint[]))
       ORDER BY (id = ANY(${first}::bigint[])) DESC, id
       LIMIT ${limit} FOR UPDATE SKIP LOCKED`.execute(db(tx));
    return rows.map((r) => {
      const raw = r.raw ?? held.get(r.id);
      if (!raw) throw new Error(`inbound mail ${r.id}: no raw bytes`);
      return { ...r, raw };
    });
  }

  /** The outcome of many filed mails (one statement). */
  async finishInboundMany(
    tx: Tx,
    items: {
      id: string;
      status: 'processed' | 'ignored';
      outcome: string;
      ticketId: string | null;
      ticketMessageId: string | null;
    }[],
  ): Promise<void> {
    if (items.length === 0) return;
    const values = sql.join(
      items.map(
        (i) =>
          sql`(${i.id}::bigint, ${i.status}::text, ${i.outcome}::text, ${i.ticketId}::bigint, ${i.ticketMessageId}::bigint)`,
      ),
    );
    await sql`
      UPDATE inbound_mails i SET status = v.status, outcome = v.outcome, ticket_id = v.ticket_id,
             ticket_message_id = v.ticket_message_id, error = NULL, processed_at = now()
        FROM (VALUES ${values}) AS v(id, status, outcome, ticket_id, ticket_message_id)
       WHERE i.id = v.id`.execute(db(tx));
  }

  /** Inbound mail stored but still unfiled after `seconds` (its job was lost). */
  async unfiledInbound(tx: Tx, seconds: number, limit: number): Promise<string[]> {
    const rows = await db(tx)
      .selectFrom('inboundMails')
      .select('inboundMails.id')
      // a literal, as the partial index inbound_mails_pending_idx is declared
      .where('inboundMails.status', '=', sql.lit('received'))
      .where('inboundMails.receivedAt', '<', sql<Date>`now() - make_interval(secs => ${seconds})`)
      .orderBy('inboundMails.receivedAt')
      .limit(limit)
      .execute();
    return rows.map((r) => r.id);
  }

  /**
   * The stored messages carrying any of these Message-IDs (one each: Message-IDs are unique):
   * which way the mail went, its ticket, and the message's id.
   */
  async messagesByMessageIds(
    tx: Tx,
    ids: string[],
  ): Promise<
    { messageId: string; direction: 'in' | 'out'; ticketId: string; ticketMessageId: string }[]
  > {
    if (ids.length === 0) return [];
    return db(tx)
      .selectFrom('messageMail as mm')
      .innerJoin('ticketMessages as m', 'm.id', 'mm.ticketMessageId')
      .select(['mm.messageId', 'mm.direction', 'm.ticketId', 'm.id as ticketMessageId'])
      .where('mm.messageId', '=', anyText(ids))
      .execute();
  }

  /** Our own sent mail among these Message-IDs (bounces and our mail coming back). */
  async outboundByMessageIds(
    tx: Tx,
    ids: string[],
  ): Promise<{ ticketMessageId: string; ticketId: string; messageId: string }[]> {
    if (ids.length === 0) return [];
    return db(tx)
      .selectFrom('messageMail as mm')
      .innerJoin('ticketMessages as m', 'm.id', 'mm.ticketMessageId')
      .select(['mm.ticketMessageId', 'm.ticketId', 'mm.messageId'])
      .where('mm.direction', '=', 'out')
      .where('mm.messageId', '=', anyText(ids))
      .execute();
  }

  async insertMessageMail(
    tx: Tx,
    m: Omit<MessageMailRow, 'sentAt' | 'error' | 'statusAt'> & { inboundMailId: string | null },
  ): Promise<void> {
    await this.insertMessageMails(tx, [m]);
  }

  /** Many inbound envelopes at once (one statement; the same columns as insertMessageMail). */
  async insertMessageMails(
    tx: Tx,
    rows: (Omit<MessageMailRow, 'sentAt' | 'error' | 'statusAt'> & {
      inboundMailId: string | null;
    })[],
  ): Promise<void> {
    if (rows.length === 0) return;
    await db(tx)
      .insertInto('messageMail')
      .values(
        rows.map((m) => ({
          ticketMessageId: m.ticketMessageId,
          direction: m.direction,
          messageId: m.messageId,
          inReplyTo: m.inReplyTo,
          refs: m.refs,
          fromAddress: m.fromAddress,
          toAddresses: m.toAddresses,
          ccAddresses: m.ccAddresses,
          status: m.status,
          html: m.html,
          fullText: m.fullText,
          inboundMailId: m.inboundMailId,
        })),
      )
      .execute();
  }

  async messageMailByIds(tx: Tx, ids: readonly string[]): Promise<MessageMailRow[]> {
    return db(tx)
      .selectFrom('messageMail as mm')
      .select([
        'mm.ticketMessageId',
        'mm.direction',
        'mm.messageId',
        'mm.inReplyTo',
        'mm.refs',
        'mm.fromAddress',
        'mm.toAddresses',
        'mm.ccAddresses',
        'mm.status',
        'mm.error',
        'mm.sentAt',
        'mm.statusAt',
        'mm.html',
        'mm.fullText',
      ])
      .where('mm.ticketMessageId', '=', anyId(ids))
      .execute();
  }

  /** Contacts with any of these (lower-cased) addresses, oldest first, with their customer's tier. */
  async contactsByEmails(
    tx: Tx,
    emails: string[],
  ): Promise<{ id: string; customerId: string; email: string; tier: string }[]> {
    if (emails.length === 0) return [];
    return db(tx)
      .selectFrom('contacts as ct')
      .innerJoin('customers as c', 'c.id', 'ct.customerId')
      .select((eb) => [
        'ct.id',
        'ct.customerId',
        eb.fn<string>('lower', ['ct.email']).as('email'),
        'c.tier',
      ])
      .where((eb) => eb(eb.fn('lower', ['ct.email']), '=', anyText(emails)))
      .orderBy('ct.id')
      .execute();
  }

  /** For each of these (lower-cased) domains, the customer owning it (active first, oldest). */
  async customersByDomains(
    tx: Tx,
    domains: string[],
  ): Promise<{ domain: string; id: string; tier: string }[]> {
    if (domains.length === 0) return [];
    return db(tx)
      .selectFrom('customers')
      .distinctOn((eb) => eb.fn('lower', ['customers.domain']))
      .select((eb) => [
        eb.fn<string>('lower', ['customers.domain']).as('domain'),
        'customers.id',
        'customers.tier',
      ])
      .where((eb) => eb(eb.fn('lower', ['customers.domain']), '=', anyText(domains)))
      .orderBy((eb) => eb.fn('lower', ['customers.domain']))
      .orderBy(activeFirst, 'desc')
      .orderBy('customers.id')
      .execute();
  }

  async customerByDomain(tx: Tx, domain: string): Promise<{ id: string } | null> {
    const found = await db(tx)
      .selectFrom('customers')
      .select('customers.id')
      .where((eb) =>
        eb(eb.fn('lower', ['customers.domain']), '=', eb.fn('lower', [eb.val(domain)])),
      )
      .orderBy(activeFirst, 'desc')
      .orderBy('customers.id')
      .limit(1)
      .executeTakeFirst();
    return found ?? null;
  }

  async customerInfo(tx: Tx, id: string): Promise<{ tier: string; domain: string | null }> {
    return db(tx)
      .selectFrom('customers')
      .select(['customers.tier', 'customers.domain'])
      .where('customers.id', '=', id)
      .executeTakeFirstOrThrow();
  }
}
