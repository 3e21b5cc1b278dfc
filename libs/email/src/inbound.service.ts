import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AttachmentsService } from '@staydesk/attachments';
import { APP_CONFIG, AppConfig, JobPublisher, TransactionRunner, Tx } from '@staydesk/core';
import {
  addressOf,
  domainOf,
  isSupportAddress,
  messageIdList,
  normalizeMessageId,
  ticketNumberOfSubject,
  ticketOfReplyAddress,
} from '@staydesk/mail';
import { TicketsService } from '@staydesk/tickets';
import { EmailRepository, InboundRow } from './email.repository';
import {
  MailNoise,
  PUBLIC_MAIL_DOMAINS,
  classifyNoise,
  htmlToText,
  newPartOf,
  sanitizeHtml,
} from './mail-content';

/** Longest message body kept in the conversation (the raw mail keeps everything). */
const MAX_BODY = 100_000;

/** The header block of a raw message, unfolded, as lower-case name → first value. */
export function rawHeaders(raw: Buffer): Map<string, string> {
  const text = raw.subarray(0, 256 * 1024).toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

/** Whether a message has a text/plain body (not only HTML, which mailparser turns into text itself). */
function hasPlainPart(raw: Buffer): boolean {
  const top = rawHeaders(raw).get('content-type');
  if (!top || /^text\/plain/i.test(top)) return true;
  return /^content-type:\s*text\/plain/im.test(raw.toString('latin1'));
}

/** The Message-ID a stored mail is known by: its own, or a digest of its bytes when it has none. */
export function storageMessageId(raw: Buffer): string {
  return (
    normalizeMessageId(rawHeaders(raw).get('message-id')) ??
    `sha256.${createHash('sha256').update(raw).digest('hex')}@staydesk.missing`
  );
}

export type InboundOutcome =
  | 'new_ticket'
  | 'threaded'
  | 'reopened'
  | 'linked_ticket'
  | 'duplicate'
  | 'bounce'
  | 'auto_reply'
  | 'list'
  | 'own_mail'
  | 'no_sender';

const addresses = (
  a: AddressObject | AddressObject[] | undefined,
): { address: string; name: string }[] =>
  (Array.isArray(a) ? a : a ? [a] : [])
    .flatMap((o) =>
      o.value.flatMap((v) =>
        v.group
          ? v.group.map((g) => ({ address: (g.address ?? '').toLowerCase(), name: g.name ?? '' }))
          : [{ address: (v.address ?? '').toLowerCase(), name: v.name ?? '' }],
      ),
    )
    .filter((v) => v.address.includes('@'));

/**
 * Inbound mail: stored first (the receiver answers 250 only after that), then filed by the
 * worker: loops and noise set aside, threaded onto a ticket or opening one, the sender resolved
 * to a contact, the new part of the text shown and the rest kept.
 */
@Injectable()
export class InboundService {
  constructor(
    private readonly repo: EmailRepository,
    private readonly tx: TransactionRunner,
    private readonly tickets: TicketsService,
    private readonly publisher: JobPublisher,
    private readonly attachments: AttachmentsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(InboundService.name) private readonly logger: PinoLogger,
  ) {}

  /**
   * Stores a received message (once per Message-ID) and queues its filing. Throws when
   * PostgreSQL or Redis cannot take it, so the SMTP sender is told to try again later.
   */
  async receive(
    raw: Buffer,
    envelope: { source: 'smtp' | 'imap'; mailFrom: string | null; rcptTo: string[] },
  ): Promise<{ id: string; stored: boolean }> {
    const stored = await this.repo.storeInbound(this.tx.db, {
      messageId: storageMessageId(raw),
      source: envelope.source,
      mailFrom: envelope.mailFrom,
      rcptTo: envelope.rcptTo,
      raw,
    });
    // a redelivery of a message not filed yet queues it again (the job id makes that a no-op)
    if (stored.status === 'received') {
      await this.publisher.publish('mail.process-inbound', { inboundId: stored.id });
    }
    return { id: stored.id, stored: stored.stored };
  }

  /** Re-queues mail that was stored but whose job was lost. */
  async sweep(): Promise<number> {
    const ids = await this.repo.unfiledInbound(this.tx.db, 60, 1000);
    if (ids.length) {
      await this.publisher.publishBulk(
        'mail.process-inbound',
        ids.map((inboundId) => ({ data: { inboundId } })),
      );
    }
    return ids.length;
  }

  /** Files one stored mail (a no-op when it was filed already). */
  async process(
    inboundId: string,
  ): Promise<{ outcome: InboundOutcome | 'done'; ticketId?: string }> {
    const peek = await this.repo.claimInbound(this.tx.db, inboundId);
    if (!peek) return { outcome: 'done' };
    const parsed = await simpleParser(peek.raw, { skipImageLinks: true, skipTextLinks: true });
    return this.tx.run(async (tx) => {
      const row = await this.repo.claimInbound(tx, inboundId);
      if (!row) return { outcome: 'done' as const };
      const result = await this.file(tx, row, parsed);
      this.logger.info({ inboundId, messageId: row.messageId, ...result }, 'inbound mail filed');
      return result;
    });
  }

  private async file(
    tx: Tx,
    row: InboundRow,
    mail: ParsedMail,
  ): Promise<{ outcome: InboundOutcome; ticketId?: string }> {
    const headers = rawHeaders(row.raw);
    const from = addresses(mail.from)[0] ?? null;
    const support = this.config.email.supportAddresses;
    const finish = async (
      status: 'processed' | 'ignored',
      outcome: InboundOutcome,
      ticketId: string | null = null,
      ticketMessageId: string | null = null,
    ) => {
      await this.repo.finishInbound(tx, row.id, { status, outcome, ticketId, ticketMessageId });
      return { outcome, ticketId: ticketId ?? undefined };
    };

    const noise: MailNoise = classifyNoise(
      { get: (n) => (n === 'subject' ? (mail.subject ?? headers.get(n)) : headers.get(n)) },
      row.mailFrom,
      headers.get('content-type') ?? '',
    );
    if (noise === 'bounce') return this.bounce(tx, row, finish);
    // our own mail coming back (a loop through a forwarding rule, a misrouted copy)
    if (
      (from && isSupportAddress(from.address, support)) ||
      headers.has('x-staydesk-ticket') ||
      (await this.repo.outboundByMessageIds(tx, [row.messageId])).length > 0
    ) {
      return finish('ignored', 'own_mail');
    }

    const refs = [
      ...messageIdList(headers.get('in-reply-to')),
      ...messageIdList(headers.get('references')).reverse(),
    ];
    let ticketId = await this.repo.ticketOfMessageIds(tx, refs);
    const recipients = [
      ...row.rcptTo,
      ...addresses(mail.to).map((a) => a.address),
      ...addresses(mail.cc).map((a) => a.address),
    ];
    if (!ticketId) {
      for (const r of recipients) {
        ticketId = ticketOfReplyAddress(r, support, this.config.email.replySecret);
        if (ticketId) break;
      }
    }
    const strongThread = ticketId !== null;
    if (noise) return finish('ignored', noise, ticketId);
    if (!from) return finish('ignored', 'no_sender', ticketId);

    const senderContacts = await this.repo.contactsByEmail(tx, from.address);
    if (!ticketId) {
      // [#number] in the subject counts only for a sender of that ticket's customer
      const number = ticketNumberOfSubject(mail.subject);
      const t = number !== null ? await this.tickets.byNumber(tx, number) : null;
      if (t && senderContacts.some((c) => c.customerId === t.customerId)) ticketId = t.id;
    }

    const content = this.content(mail, row.raw);
    const ticket = ticketId ? await this.tickets.lockForMail(tx, ticketId) : null;
    let contactId: string;
    let result: { ticket: { id: string }; message: { id: string } };
    let outcome: InboundOutcome;
    if (ticket && ticket.status !== 'closed') {
      // the sender of a threaded reply joins the ticket's customer (a colleague in CC answering)
      contactId =
        senderContacts.find((c) => c.customerId === ticket.customerId)?.id ??
        (strongThread
          ? await this.repo.ensureContact(
              tx,
              ticket.customerId,
              from.name || from.address,
              from.address,
            )
          : ticket.requesterId);
      result = await this.tickets.addFromMail(tx, ticket, contactId, content.body);
      outcome = ticket.status === 'solved' ? 'reopened' : 'threaded';
    } else {
      const person = ticket
        ? {
            customerId: ticket.customerId,
            contactId:
              senderContacts.find((c) => c.customerId === ticket.customerId)?.id ??
              (await this.repo.ensureContact(
                tx,
                ticket.customerId,
                from.name || from.address,
                from.address,
              )),
          }
        : await this.person(tx, from, senderContacts);
      contactId = person.contactId;
      const { tier } = await this.repo.customerInfo(tx, person.customerId);
      result = await this.tickets.openFromMail(tx, {
        requesterId: contactId,
        customerId: person.customerId,
        customerTier: tier,
        subject: (mail.subject ?? '').replace(/\[#\d{1,9}\]\s*/, ''),
        body: content.body,
        linkedFrom: ticket?.id ?? null,
      });
      outcome = ticket ? 'linked_ticket' : 'new_ticket';
    }
    await this.repo.insertMessageMail(tx, {
      ticketMessageId: result.message.id,
      direction: 'in',
      messageId: row.messageId,
      inReplyTo: messageIdList(headers.get('in-reply-to'))[0] ?? null,
      refs: messageIdList(headers.get('references')).slice(-50),
      fromAddress: from.address,
      toAddresses: addresses(mail.to)
        .map((a) => a.address)
        .slice(0, 50),
      ccAddresses: addresses(mail.cc)
        .map((a) => a.address)
        .slice(0, 50),
      status: 'received',
      html: content.html,
      fullText: content.fullText,
      inboundMailId: row.id,
    });
    // inline images referenced from the HTML are part of the text; everything else is a file
    const files = mail.attachments.filter((a) => !(a.related && a.contentId));
    if (files.length) {
      await this.attachments.storeForMessage(
        tx,
        result.message.id,
        files.map((a) => ({ filename: a.filename, declaredType: a.contentType, bytes: a.content })),
      );
    }
    return finish('processed', outcome, result.ticket.id, result.message.id);
  }

  /** Sender → contact: a known address, else a contact of the customer owning the domain, else a new customer. */
  private async person(
    tx: Tx,
    from: { address: string; name: string },
    known: { id: string; customerId: string }[],
  ): Promise<{ customerId: string; contactId: string }> {
    if (known.length) return { customerId: known[0].customerId, contactId: known[0].id };
    const domain = domainOf(from.address);
    const publicDomain = PUBLIC_MAIL_DOMAINS.has(domain);
    const byDomain = publicDomain ? null : await this.repo.customerByDomain(tx, domain);
    const customerId =
      byDomain?.id ??
      (await this.repo.insertCustomer(
        tx,
        publicDomain ? from.name || from.address : domain,
        publicDomain ? null : domain,
      ));
    const contactId = await this.repo.ensureContact(
      tx,
      customerId,
      from.name || from.address,
      from.address,
    );
    return { customerId, contactId };
  }

  /** The text to show (new part), the full text, and sanitized HTML. */
  private content(
    mail: ParsedMail,
    raw: Buffer,
  ): { body: string; fullText: string; html: string | null } {
    const html = mail.html ? sanitizeHtml(mail.html) : null;
    // HTML-only mail: text from the sanitized HTML (mailparser's own conversion keeps link targets)
    const full = (
      hasPlainPart(raw) && mail.text?.trim()
        ? mail.text
        : html
          ? htmlToText(html)
          : (mail.text ?? '')
    ).trim();
    const shown = newPartOf(full).text;
    return {
      body: (shown || '(no text)').slice(0, MAX_BODY),
      fullText: full.slice(0, 1_000_000),
      html: html ? html.slice(0, 2_000_000) : null,
    };
  }

  /**
   * A delivery status notification: the reply it is about is marked bounced with the server's
   * diagnostic, the recipient's contact address bouncing, and the ticket's history says so.
   */
  private async bounce(
    tx: Tx,
    row: InboundRow,
    finish: (
      s: 'ignored',
      o: InboundOutcome,
      t?: string | null,
    ) => Promise<{ outcome: InboundOutcome; ticketId?: string }>,
  ) {
    const text = row.raw.toString('utf8');
    const ids = [...text.matchAll(/^message-id:\s*(<[^>\s]+>)/gim)].map((m) =>
      normalizeMessageId(m[1])!,
    );
    const ours = await this.repo.outboundByMessageIds(tx, ids);
    const permanent = /^status:\s*5\.\d+\.\d+/im.test(text) || /^action:\s*failed/im.test(text);
    const diagnostic =
      /^diagnostic-code:\s*([^\r\n]+(?:\r?\n[ \t][^\r\n]+)*)/im
        .exec(text)?.[1]
        .replace(/\s+/g, ' ') ??
      /^status:\s*([^\r\n]+)/im.exec(text)?.[1] ??
      'delivery failed';
    const recipients = [...text.matchAll(/^final-recipient:\s*[^;]*;\s*([^\s]+)/gim)]
      .map((m) => addressOf(m[1]))
      .filter((a): a is string => a !== null);
    if (permanent) {
      for (const r of recipients) await this.repo.markBouncing(tx, r, diagnostic);
      for (const o of ours) {
        await this.repo.markFailed(tx, o.ticketMessageId, `bounced: ${diagnostic}`, 'bounced');
        await this.repo.insertEvent(tx, {
          ticketId: o.ticketId,
          type: 'mail_bounced',
          fromValue: recipients.join(', ') || null,
          toValue: diagnostic,
        });
      }
    }
    return finish('ignored', 'bounce', ours[0]?.ticketId ?? null);
  }
}
