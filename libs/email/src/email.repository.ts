import { Injectable } from '@nestjs/common';
import { Tx, returnedRows } from '@staydesk/core';

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

const MAIL_COLUMNS = `mm.ticket_message_id::text AS "ticketMessageId", mm.direction, mm.message_id AS "messageId",
  mm.in_reply_to AS "inReplyTo", mm.refs, mm.from_address AS "fromAddress", mm.to_addresses AS "toAddresses",
  mm.cc_addresses AS "ccAddresses", mm.status, mm.error, mm.sent_at AS "sentAt", mm.status_at AS "statusAt", mm.html, mm.full_text AS "fullText"`;

/** The e-mail channel's tables: inbound mail, message envelopes, team senders, bouncing contacts. */
@Injectable()
export class EmailRepository {
  /**
   * Stores a received message once per Message-ID. Returns the row id and whether this call
   * stored it (false: the same message was delivered before).
   */
  async storeInbound(
    tx: Tx,
    m: {
      messageId: string;
      source: 'smtp' | 'imap';
      mailFrom: string | null;
      rcptTo: string[];
      raw: Buffer;
    },
  ): Promise<{ id: string; stored: boolean; status: string }> {
    const inserted: { id: string }[] = await tx.query(
      `INSERT INTO inbound_mails (message_id, source, mail_from, rcpt_to, raw, size)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (message_id) DO NOTHING RETURNING id::text`,
      [m.messageId, m.source, m.mailFrom, m.rcptTo, m.raw, m.raw.length],
    );
    if (inserted.length) return { id: inserted[0].id, stored: true, status: 'received' };
    const rows: { id: string; status: string }[] = await tx.query(
      `SELECT id::text, status FROM inbound_mails WHERE message_id = $1`,
      [m.messageId],
    );
    return { id: rows[0].id, stored: false, status: rows[0].status };
  }

  /**
   * Stores several received messages with one statement, once per Message-ID (a Message-ID
   * twice in the list, or stored before, is not stored again). Returns, for each in order, the
   * row id, whether this call stored it, and the row's status.
   */
  async storeInboundMany(
    tx: Tx,
    items: {
      messageId: string;
      source: 'smtp' | 'imap';
      mailFrom: string | null;
      rcptTo: string[];
      raw: Buffer;
    }[],
  ): Promise<{ id: string; stored: boolean; status: string }[]> {
    const params: unknown[] = [];
    const values = items.map((m) => {
      params.push(m.messageId, m.source, m.mailFrom, m.rcptTo, m.raw, m.raw.length);
      const n = params.length;
      return `($${n - 5}, $${n - 4}, $${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
    });
    const inserted: { id: string; messageId: string }[] = await tx.query(
      `INSERT INTO inbound_mails (message_id, source, mail_from, rcpt_to, raw, size)
       VALUES ${values.join(', ')} ON CONFLICT (message_id) DO NOTHING
       RETURNING id::text, message_id AS "messageId"`,
      params,
    );
    const fresh = new Map(inserted.map((r) => [r.messageId, r.id]));
    const missing = items.map((m) => m.messageId).filter((id) => !fresh.has(id));
    const before: { id: string; messageId: string; status: string }[] = missing.length
      ? await tx.query(
          `SELECT id::text, message_id AS "messageId", status FROM inbound_mails WHERE message_id = ANY($1::text[])`,
          [missing],
        )
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
   */
  async claimInboundBatch(
    tx: Tx,
    first: string[],
    limit: number,
    onlyFirst = false,
  ): Promise<InboundRow[]> {
    return tx.query(
      `SELECT id::text, message_id AS "messageId", source, mail_from AS "mailFrom", rcpt_to AS "rcptTo", raw, status
         FROM inbound_mails
        WHERE status = 'received' AND ($3::boolean IS FALSE OR id = ANY($1::bigint[]))
        ORDER BY (id = ANY($1::bigint[])) DESC, id
        LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [first, limit, onlyFirst],
    );
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
    const params: unknown[] = [];
    const values = items.map((i) => {
      params.push(i.id, i.status, i.outcome, i.ticketId, i.ticketMessageId);
      const n = params.length;
      return `($${n - 4}::bigint, $${n - 3}::text, $${n - 2}::text, $${n - 1}::bigint, $${n}::bigint)`;
    });
    await tx.query(
      `UPDATE inbound_mails i SET status = v.status, outcome = v.outcome, ticket_id = v.ticket_id,
              ticket_message_id = v.ticket_message_id, error = NULL, processed_at = now()
         FROM (VALUES ${values.join(', ')}) AS v(id, status, outcome, ticket_id, ticket_message_id)
        WHERE i.id = v.id`,
      params,
    );
  }

  /** Inbound mail stored but still unfiled after `seconds` (its job was lost). */
  async unfiledInbound(tx: Tx, seconds: number, limit: number): Promise<string[]> {
    const rows: { id: string }[] = await tx.query(
      `SELECT id::text FROM inbound_mails WHERE status = 'received'
          AND received_at < now() - make_interval(secs => $1) ORDER BY received_at LIMIT $2`,
      [seconds, limit],
    );
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
    return tx.query(
      `SELECT mm.message_id AS "messageId", mm.direction, m.ticket_id::text AS "ticketId",
              m.id::text AS "ticketMessageId"
         FROM message_mail mm JOIN ticket_messages m ON m.id = mm.ticket_message_id
        WHERE mm.message_id = ANY($1::text[])`,
      [ids],
    );
  }

  /** Our own sent mail among these Message-IDs (bounces and our mail coming back). */
  async outboundByMessageIds(
    tx: Tx,
    ids: string[],
  ): Promise<{ ticketMessageId: string; ticketId: string; messageId: string }[]> {
    if (ids.length === 0) return [];
    return tx.query(
      `SELECT mm.ticket_message_id::text AS "ticketMessageId", m.ticket_id::text AS "ticketId", mm.message_id AS "messageId"
         FROM message_mail mm JOIN ticket_messages m ON m.id = mm.ticket_message_id
        WHERE mm.direction = 'out' AND mm.message_id = ANY($1::text[])`,
      [ids],
    );
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
    const params: unknown[] = [];
    const values = rows.map((m) => {
      const at = params.length;
      params.push(
        m.ticketMessageId,
        m.direction,
        m.messageId,
        m.inReplyTo,
        m.refs,
        m.fromAddress,
        m.toAddresses,
        m.ccAddresses,
        m.status,
        m.html,
        m.fullText,
        m.inboundMailId,
      );
      return `(${Array.from({ length: 12 }, (_, k) => `$${at + k + 1}`).join(', ')})`;
    });
    await tx.query(
      `INSERT INTO message_mail (ticket_message_id, direction, message_id, in_reply_to, refs, from_address,
          to_addresses, cc_addresses, status, html, full_text, inbound_mail_id)
       VALUES ${values.join(', ')}`,
      params,
    );
  }

  async messageMailByIds(tx: Tx, ids: readonly string[]): Promise<MessageMailRow[]> {
    return tx.query(
      `SELECT ${MAIL_COLUMNS} FROM message_mail mm WHERE mm.ticket_message_id = ANY($1::bigint[])`,
      [ids],
    );
  }

  /** Contacts with any of these (lower-cased) addresses, oldest first, with their customer's tier. */
  async contactsByEmails(
    tx: Tx,
    emails: string[],
  ): Promise<{ id: string; customerId: string; email: string; tier: string }[]> {
    if (emails.length === 0) return [];
    return tx.query(
      `SELECT ct.id::text, ct.customer_id::text AS "customerId", lower(ct.email) AS email, c.tier
         FROM contacts ct JOIN customers c ON c.id = ct.customer_id
        WHERE lower(ct.email) = ANY($1::text[]) ORDER BY ct.id`,
      [emails],
    );
  }

  /** For each of these (lower-cased) domains, the customer owning it (active first, oldest). */
  async customersByDomains(
    tx: Tx,
    domains: string[],
  ): Promise<{ domain: string; id: string; tier: string }[]> {
    if (domains.length === 0) return [];
    return tx.query(
      `SELECT DISTINCT ON (lower(domain)) lower(domain) AS domain, id::text, tier FROM customers
        WHERE lower(domain) = ANY($1::text[]) ORDER BY lower(domain), (status = 'active') DESC, id`,
      [domains],
    );
  }

  async customerByDomain(tx: Tx, domain: string): Promise<{ id: string } | null> {
    const rows: { id: string }[] = await tx.query(
      `SELECT id::text FROM customers WHERE lower(domain) = lower($1) ORDER BY (status = 'active') DESC, id LIMIT 1`,
      [domain],
    );
    return rows[0] ?? null;
  }

  async customerInfo(tx: Tx, id: string): Promise<{ tier: string; domain: string | null }> {
    const rows: { tier: string; domain: string | null }[] = await tx.query(
      `SELECT tier, domain FROM customers WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  async insertCustomer(tx: Tx, name: string, domain: string | null): Promise<string> {
    const rows: { id: string }[] = await tx.query(
      `INSERT INTO customers (name, domain, tier) VALUES ($1, $2, 'free') RETURNING id::text`,
      [name.slice(0, 200), domain],
    );
    return rows[0].id;
  }

  /** A contact of the customer with this address, created when missing. */
  async ensureContact(tx: Tx, customerId: string, name: string, email: string): Promise<string> {
    const rows: { id: string }[] = await tx.query(
      `INSERT INTO contacts (customer_id, name, email) VALUES ($1, $2, $3)
       ON CONFLICT (customer_id, lower(email)) DO UPDATE SET updated_at = contacts.updated_at
       RETURNING id::text`,
      [customerId, name.slice(0, 200), email],
    );
    return rows[0].id;
  }

  /** Marks every contact with this address as bouncing (shown on their tickets). */
  async markBouncing(tx: Tx, email: string, reason: string): Promise<number> {
    const rows = returnedRows<{ id: string }>(
      await tx.query(
        `UPDATE contacts SET email_bouncing_at = now(), email_bounce_reason = $2, updated_at = now()
          WHERE lower(email) = lower($1) RETURNING id::text`,
        [email, reason.slice(0, 500)],
      ),
    );
    return rows.length;
  }

  async contactRow(tx: Tx, id: string) {
    const rows: {
      id: string;
      customerId: string;
      name: string;
      email: string;
      phone: string | null;
      surveyOptOut: boolean;
      createdAt: Date;
    }[] = await tx.query(
      `SELECT id::text, customer_id::text AS "customerId", name, email, phone,
              survey_opt_out AS "surveyOptOut", created_at AS "createdAt" FROM contacts WHERE id = $1`,
      [id],
    );
    return rows[0];
  }

  async contactBounces(
    tx: Tx,
    ids: readonly string[],
  ): Promise<{ id: string; bouncingAt: Date | null; reason: string | null }[]> {
    return tx.query(
      `SELECT id::text, email_bouncing_at AS "bouncingAt", email_bounce_reason AS reason FROM contacts WHERE id = ANY($1::bigint[])`,
      [ids],
    );
  }

  async replyContexts(tx: Tx, ids: readonly string[]): Promise<ReplyContext[]> {
    if (ids.length === 0) return [];
    return tx.query(
      `SELECT m.id::text AS "messageId", m.kind, m.body, t.id::text AS "ticketId", t.number AS "ticketNumber",
              t.subject, c.email AS "requesterEmail", c.name AS "requesterName", u.name AS "agentName",
              tm.name AS "teamName", tm.mail_from_name AS "teamFromName",
              tm.mail_from_address AS "teamFromAddress", tm.mail_signature AS "teamSignature",
              json_build_object('status', mm.status, 'messageId', mm.message_id,
                                'ccAddresses', mm.cc_addresses, 'dataSentAt', mm.data_sent_at) AS mail
         FROM ticket_messages m
         JOIN tickets t ON t.id = m.ticket_id
         JOIN contacts c ON c.id = t.requester_id
         JOIN message_mail mm ON mm.ticket_message_id = m.id
         LEFT JOIN users u ON u.id = m.author_user_id
         LEFT JOIN teams tm ON tm.id = t.team_id
        WHERE m.id = ANY($1::bigint[])`,
      [ids],
    );
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
    const result: unknown = await tx.query(
      `WITH c AS (
         SELECT ticket_message_id, status, data_sent_at FROM message_mail
          WHERE status IN ('queued', 'sending') AND direction = 'out'
            AND (lease_until IS NULL OR lease_until < now())
          ORDER BY (ticket_message_id = ANY($1::bigint[])) DESC, ticket_message_id
          LIMIT $2 FOR UPDATE SKIP LOCKED)
       UPDATE message_mail mm SET status = 'sending', lease_until = now() + make_interval(secs => $3),
              status_at = CASE WHEN c.status = 'sending' THEN mm.status_at ELSE now() END,
              data_sent_at = CASE WHEN c.status = 'sending' THEN c.data_sent_at END
         FROM c WHERE mm.ticket_message_id = c.ticket_message_id
       RETURNING mm.ticket_message_id::text AS id, (c.status = 'sending' AND c.data_sent_at IS NOT NULL) AS handed`,
      [first, limit, leaseSeconds],
    );
    return returnedRows<{ id: string; handed: boolean }>(result);
  }

  /** Keeps a batch's claim while it is still sending. */
  async renewLease(tx: Tx, ids: string[], leaseSeconds: number): Promise<void> {
    if (ids.length === 0) return;
    await tx.query(
      `UPDATE message_mail SET lease_until = now() + make_interval(secs => $2)
        WHERE ticket_message_id = ANY($1::bigint[]) AND status = 'sending'`,
      [ids, leaseSeconds],
    );
  }

  /** Replies accepted by the server (one statement for many). */
  async markSentMany(tx: Tx, items: { id: string; to: string[] }[]): Promise<void> {
    if (items.length === 0) return;
    await tx.query(
      `UPDATE message_mail mm SET status = 'sent', sent_at = now(), status_at = now(), error = NULL,
              lease_until = NULL, to_addresses = v.to_addresses
         FROM jsonb_to_recordset($1::jsonb) AS v(id bigint, to_addresses text[])
        WHERE mm.ticket_message_id = v.id AND mm.status IN ('queued', 'sending')`,
      [JSON.stringify(items.map((i) => ({ id: i.id, to_addresses: i.to })))],
    );
  }

  /** Message-IDs of each reply's conversation before it, oldest first (for References). */
  async threadsOf(
    tx: Tx,
    ids: readonly string[],
  ): Promise<Map<string, { messageId: string; direction: 'in' | 'out' }[]>> {
    const rows: { forId: string; messageId: string; direction: 'in' | 'out' }[] = await tx.query(
      `SELECT m0.id::text AS "forId", mm.message_id AS "messageId", mm.direction
         FROM ticket_messages m0
         JOIN ticket_messages m ON m.ticket_id = m0.ticket_id AND m.id < m0.id
         JOIN message_mail mm ON mm.ticket_message_id = m.id
        WHERE m0.id = ANY($1::bigint[]) AND (mm.direction = 'in' OR mm.status = 'sent')
        ORDER BY m0.id, m.id`,
      [ids],
    );
    const out = new Map<string, { messageId: string; direction: 'in' | 'out' }[]>();
    for (const r of rows) {
      const list = out.get(r.forId) ?? [];
      list.push({ messageId: r.messageId, direction: r.direction });
      out.set(r.forId, list);
    }
    return out;
  }

  /**
   * The whole message went to the server (final dot written); only its answer is missing. Run by
   * the SendJournal on its own connection.
   */
  static readonly DATA_SENT_SQL = `UPDATE message_mail SET data_sent_at = clock_timestamp()
        WHERE ticket_message_id = $1 AND status = 'sending'`;

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
    await tx.query(
      `UPDATE message_mail SET status = 'queued', status_at = now(), data_sent_at = NULL, error = $2,
              lease_until = now() + make_interval(secs => $3)
        WHERE ticket_message_id = $1 AND status = 'sending'`,
      [messageId, error.slice(0, 1000), retrySeconds],
    );
  }

  /** A final state other than sent: refused (5xx), bounced (DSN), or suppressed (bouncing address). */
  async markFailed(
    tx: Tx,
    messageId: string,
    error: string,
    status: 'failed' | 'bounced' | 'suppressed' = 'failed',
  ): Promise<void> {
    await tx.query(
      `UPDATE message_mail SET status = $3, status_at = now(), data_sent_at = NULL, error = $2,
              lease_until = NULL
        WHERE ticket_message_id = $1`,
      [messageId, error.slice(0, 1000), status],
    );
  }

  /** The addresses among these (lower-cased) that are marked bouncing on some contact. */
  async bouncingAddresses(tx: Tx, addresses: string[]): Promise<Set<string>> {
    if (addresses.length === 0) return new Set();
    const rows: { email: string }[] = await tx.query(
      `SELECT DISTINCT lower(email) AS email FROM contacts
        WHERE lower(email) = ANY($1::text[]) AND email_bouncing_at IS NOT NULL`,
      [addresses.map((a) => a.toLowerCase())],
    );
    return new Set(rows.map((r) => r.email));
  }

  /**
   * Clears the bouncing mark of a contact's address (on every contact with that address, as the
   * bounce set it). Returns the address, or null when the contact does not exist.
   */
  async clearBouncing(
    tx: Tx,
    contactId: string,
  ): Promise<{ email: string; customerId: string; cleared: number } | null> {
    const rows: { email: string; customerId: string }[] = await tx.query(
      `SELECT email, customer_id::text AS "customerId" FROM contacts WHERE id = $1`,
      [contactId],
    );
    if (!rows[0]) return null;
    const cleared = returnedRows<unknown>(
      await tx.query(
        `UPDATE contacts SET email_bouncing_at = NULL, email_bounce_reason = NULL, updated_at = now()
          WHERE lower(email) = lower($1) AND email_bouncing_at IS NOT NULL RETURNING id`,
        [rows[0].email],
      ),
    ).length;
    return { ...rows[0], cleared };
  }

  async insertEvent(
    tx: Tx,
    e: {
      ticketId: string;
      type: 'mail_bounced' | 'mail_failed';
      fromValue: string | null;
      toValue: string | null;
    },
  ): Promise<void> {
    await tx.query(
      `INSERT INTO ticket_events (ticket_id, actor_id, type, from_value, to_value) VALUES ($1, NULL, $2, $3, $4)`,
      [e.ticketId, e.type, e.fromValue, e.toValue?.slice(0, 500) ?? null],
    );
  }

  async teamSenders(tx: Tx, ids: readonly string[]): Promise<TeamSenderRow[]> {
    return tx.query(
      `SELECT id::text AS "teamId", mail_from_name AS "fromName", mail_from_address AS "fromAddress",
              mail_signature AS signature FROM teams WHERE id = ANY($1::bigint[])`,
      [ids],
    );
  }

  async setTeamSender(tx: Tx, s: TeamSenderRow): Promise<boolean> {
    const rows = returnedRows<unknown>(
      await tx.query(
        `UPDATE teams SET mail_from_name = $2, mail_from_address = $3, mail_signature = $4, updated_at = now()
          WHERE id = $1 RETURNING id`,
        [s.teamId, s.fromName, s.fromAddress, s.signature],
      ),
    );
    return rows.length > 0;
  }

  async notificationSettings(
    tx: Tx,
    userId: string,
  ): Promise<{ assigned: boolean; customerReply: boolean; slaWarning: boolean } | null> {
    const rows: { assigned: boolean; customerReply: boolean; slaWarning: boolean }[] =
      await tx.query(
        `SELECT notify_assigned AS assigned, notify_customer_reply AS "customerReply",
              notify_sla_warning AS "slaWarning" FROM users WHERE id = $1`,
        [userId],
      );
    return rows[0] ?? null;
  }

  async setNotificationSettings(
    tx: Tx,
    userId: string,
    s: { assigned?: boolean | null; customerReply?: boolean | null; slaWarning?: boolean | null },
  ): Promise<void> {
    await tx.query(
      `UPDATE users SET notify_assigned = coalesce($2, notify_assigned),
              notify_customer_reply = coalesce($3, notify_customer_reply),
              notify_sla_warning = coalesce($4, notify_sla_warning), updated_at = now()
        WHERE id = $1`,
      [userId, s.assigned ?? null, s.customerReply ?? null, s.slaWarning ?? null],
    );
  }
}
