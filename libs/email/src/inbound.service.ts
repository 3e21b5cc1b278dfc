// Over 400 lines on purpose: one pipeline (receive → store → claim → file) sharing its batch state; header helpers live in inbound-headers.ts.
import { Inject, Injectable } from '@nestjs/common';
import type { ParsedMail } from 'mailparser';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AttachmentsService } from '@staydesk/attachments';
import { APP_CONFIG, AppConfig, JobPublisher, TransactionRunner, Tx } from '@staydesk/core';
import { CustomersService } from '@staydesk/customers';
import {
  addressOf,
  domainOf,
  isSupportAddress,
  messageIdList,
  normalizeMessageId,
  ticketNumberOfSubject,
  ticketOfReplyAddress,
} from '@staydesk/mail';
import {
  MailTicketInput,
  OpenedMailTicket,
  TicketHooks,
  TicketsService,
  insertMailTickets,
} from '@staydesk/tickets';
import { EmailRepository, InboundRow } from './email.repository';
import { InboundOutcome, RawFacts, addresses, rawFacts, storageMessageId } from './inbound-headers';
import { mailparser } from './mail-libs';
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

/** Most stored mails filed in one transaction (and named in one job). */
export const FILING_BATCH = 50;

/** Most filing transactions at once in one process (the rest of the worker's jobs run beside). */
const FILING_PARALLEL = 4;

/** Stored mails this process remembers having filed (their later jobs need no transaction). */
const FILED_MEMORY = 20_000;

/**
 * The bytes of mails this process stored are kept for their filing (so the claim need not read
 * them back), up to this many bytes and this long, and named to a claim up to this many at once.
 */
const RAW_HELD_BYTES = 32 * 1024 * 1024;
const RAW_HELD_MS = 60_000;
const RAW_HELD_PER_CLAIM = 100;

/** A received mail waiting for its INSERT, and its SMTP session waiting for the outcome. */
interface ToStore {
  mail: Parameters<EmailRepository['storeInbound']>[1];
  resolve: (r: { id: string; stored: boolean; status: string }) => void;
  reject: (e: Error) => void;
}

/** What filing a batch of mails has looked up and made so far, and what it writes at the end. */
interface FilingBatch {
  /** Our own outbound Message-IDs among the batch's mails. */
  own: Set<string>;
  /** Message-ID → the ticket of the stored message carrying it (order: the message's id). */
  threads: Map<string, { ticketId: string; order: bigint }>;
  /** Lower-cased address → its contacts, oldest first. */
  contacts: Map<string, { id: string; customerId: string }[]>;
  /** Lower-cased domain → the customer owning it (null: none). */
  domains: Map<string, string | null>;
  mails: Parameters<EmailRepository['insertMessageMails']>[1];
  finished: Parameters<EmailRepository['finishInboundMany']>[1];
  /**
   * New tickets waiting to be opened together (see openPending): each mail's Message-ID and what
   * filing does once its ticket exists. Opened before a mail that answers one of them, and at
   * the end of the batch.
   */
  opening: {
    messageId: string;
    input: MailTicketInput;
    then: (opened: OpenedMailTicket) => Promise<void>;
  }[];
}

type Filed = { outcome: InboundOutcome; ticketId?: string };

/**
 * Inbound mail: stored first (the receiver answers 250 only after that), then filed by the
 * worker: loops and noise set aside, threaded onto a ticket or opening one, the sender resolved
 * to a contact, the new part of the text shown and the rest kept.
 */
@Injectable()
export class InboundService {
  /** Stored mails waiting for their filing job to be published (see queueFiling). */
  private readonly toQueue: { id: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  private queueing = false;
  /** Received mails waiting to be stored (see store). */
  private readonly toStore: ToStore[] = [];
  private storing = false;
  /** Filing transactions running in this process, and jobs waiting for one (see process). */
  private filingNow = 0;
  private readonly filingWaiting: (() => void)[] = [];
  /** Mails a filing transaction of this process committed (the last {@link FILED_MEMORY}). */
  private readonly filedHere = new Set<string>();
  /** Mails a filing batch of this process holds now → settles when the batch is over. */
  private readonly filingHere = new Map<string, Promise<void>>();
  /** The bytes of mails this process stored and has not filed yet, oldest first (see holdRaw). */
  private readonly rawHeld = new Map<string, { raw: Buffer; at: number }>();
  private rawHeldBytes = 0;

  constructor(
    private readonly repo: EmailRepository,
    private readonly tx: TransactionRunner,
    private readonly tickets: TicketsService,
    private readonly hooks: TicketHooks,
    private readonly publisher: JobPublisher,
    private readonly attachments: AttachmentsService,
    private readonly customers: CustomersService,
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
    const stored = await this.store({
      messageId: storageMessageId(raw),
      source: envelope.source,
      mailFrom: envelope.mailFrom,
      rcptTo: envelope.rcptTo,
      raw,
    });
    if (stored.stored) this.holdRaw(stored.id, raw);
    // a redelivery of a message not filed yet queues it again (the job id makes that a no-op)
    if (stored.status === 'received') await this.queueFiling(stored.id);
    return { id: stored.id, stored: stored.stored };
  }

  /**
   * Stores a mail (see EmailRepository.storeInbound). Mails arriving while a store is in flight
   * are stored together by the next statement; when a shared statement fails, each is stored on
   * its own, so only a mail PostgreSQL refuses (or PostgreSQL down) gets the error.
   */
  private store(m: ToStore['mail']): Promise<{ id: string; stored: boolean; status: string }> {
    return new Promise((resolve, reject) => {
      this.toStore.push({ mail: m, resolve, reject });
      if (!this.storing) void this.flushStore();
    });
  }

  private async flushStore(): Promise<void> {
    this.storing = true;
    try {
      while (this.toStore.length) {
        const group = this.toStore.splice(0, FILING_BATCH);
        const one = async (g: ToStore) => {
          try {
            g.resolve(await this.repo.storeInbound(this.tx.db, g.mail));
          } catch (err) {
            g.reject(err as Error);
          }
        };
        if (group.length === 1) {
          await one(group[0]);
          continue;
        }
        try {
          const rows = await this.repo.storeInboundMany(
            this.tx.db,
            group.map((g) => g.mail),
          );
          group.forEach((g, i) => g.resolve(rows[i]));
        } catch {
          for (const g of group) await one(g);
        }
      }
    } finally {
      this.storing = false;
    }
  }

  /**
   * Queues the filing of a stored mail: resolves once a job naming it is in Redis (rejects when
   * Redis cannot take it). Mails stored while a publish is in flight share the next job (one
   * job per group instead of one per mail); each is named in a job published after it was stored.
   */
  private queueFiling(id: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.toQueue.push({ id, resolve, reject });
      if (!this.queueing) void this.flushQueue();
    });
  }

  private async flushQueue(): Promise<void> {
    this.queueing = true;
    try {
      while (this.toQueue.length) {
        const group = this.toQueue.splice(0, FILING_BATCH);
        try {
          await this.publisher.publish('mail.process-inbound', {
            inboundId: group[0].id,
            ...(group.length > 1 ? { inboundIds: group.map((g) => g.id) } : {}),
          });
          for (const g of group) g.resolve();
        } catch (err) {
          for (const g of group) g.reject(err as Error);
        }
      }
    } finally {
      this.queueing = false;
    }
  }

  /** Re-queues mail that was stored but whose job was lost. */
  async sweep(): Promise<number> {
    const ids = await this.repo.unfiledInbound(this.tx.db, 60, 1000);
    if (ids.length) {
      const groups: string[][] = [];
      for (let i = 0; i < ids.length; i += FILING_BATCH)
        groups.push(ids.slice(i, i + FILING_BATCH));
      await this.publisher.publishBulk(
        'mail.process-inbound',
        groups.map((g) => ({ data: { inboundId: g[0], inboundIds: g } })),
      );
    }
    return ids.length;
  }

  /**
   * Files stored mail in batches: the named mails first, then whatever else waits (up to
   * {@link FILING_BATCH} per transaction, again while batches come back full). Mails filed
   * already, or being filed by another job, are skipped.
   *
   * Under load most jobs find their mails filed by a batch that ran before them (a batch takes
   * every mail waiting). A job whose mails this process has filed returns without a transaction
   * (its claim would find nothing); one whose mails a batch of this process holds waits for that
   * batch first. Mails filed elsewhere are found by the claim, as before; any other waiting mail
   * still has a job naming it (and the sweep), so nothing is left behind.
   */
  async process(
    first: string[],
  ): Promise<{ filed: number; outcomes: Partial<Record<InboundOutcome, number>> }> {
    for (;;) {
      await this.settledHere(first);
      if (first.every((id) => this.filedHere.has(id))) return { filed: 0, outcomes: {} };
      // at most FILING_PARALLEL filing transactions per process: jobs arriving meanwhile wait,
      // and the next batch takes everything that came in (under load, batches grow instead of
      // jobs competing for the same few mails)
      const done = await this.withFilingSlot(async () => {
        // while this job waited for its slot, another batch may have taken its mails
        if (first.some((id) => this.filingHere.has(id))) return null;
        if (first.every((id) => this.filedHere.has(id))) return { filed: 0, outcomes: {} };
        return this.drain(first);
      });
      if (done) return done;
    }
  }

  /** Waits until no filing batch of this process holds any of these mails. */
  private async settledHere(ids: string[]): Promise<void> {
    for (;;) {
      const held = ids.map((id) => this.filingHere.get(id)).filter((p) => p !== undefined);
      if (held.length === 0) return;
      await Promise.all(held);
    }
  }

  private async withFilingSlot<T>(f: () => Promise<T>): Promise<T> {
    if (this.filingNow >= FILING_PARALLEL) {
      await new Promise<void>((resolve) => this.filingWaiting.push(resolve));
    } else {
      this.filingNow++;
    }
    try {
      return await f();
    } finally {
      const next = this.filingWaiting.shift();
      if (next) next();
      else this.filingNow--;
    }
  }

  private async drain(
    first: string[],
  ): Promise<{ filed: number; outcomes: Partial<Record<InboundOutcome, number>> }> {
    const outcomes: Partial<Record<InboundOutcome, number>> = {};
    let filed = 0;
    let want = first;
    for (;;) {
      const n = await this.fileBatch(want, FILING_BATCH, false, outcomes);
      filed += n;
      if (n < FILING_BATCH) return { filed, outcomes };
      want = [];
    }
  }

  /**
   * One transaction: claims up to `limit` stored mails (`FOR UPDATE SKIP LOCKED`, status
   * `received`), parses them, files each, and records the envelopes and outcomes with one
   * statement each. When the batch fails, its mails are filed one by one, each in its own
   * transaction, so one bad mail does not hold back the others (its own error is rethrown only
   * for a mail this job was queued for; the others are retried by their jobs or the sweep).
   */
  private async fileBatch(
    first: string[],
    limit: number,
    onlyFirst: boolean,
    outcomes: Partial<Record<InboundOutcome, number>>,
  ): Promise<number> {
    let claimed: string[] = [];
    let over = () => {};
    const held = new Promise<void>((resolve) => (over = resolve));
    try {
      const n = await this.tx.run(async (tx) => {
        const rows = await this.repo.claimInboundBatch(
          tx,
          first,
          limit,
          onlyFirst,
          this.heldRaw(first),
        );
        claimed = rows.map((r) => r.id);
        // a one-by-one retry of a failed batch's mail keeps the batch's entry
        for (const id of claimed) if (!this.filingHere.has(id)) this.filingHere.set(id, held);
        if (rows.length === 0) return 0;
        const facts = rows.map((r) => rawFacts(r.raw));
        const parsed: ParsedMail[] = [];
        for (const [i, r] of rows.entries()) {
          parsed.push(
            await mailparser().simpleParser(r.raw, {
              skipImageLinks: true,
              skipTextLinks: true,
              // textAsHtml is never read; with an HTML part it also builds `html`, so it stays
              skipTextToHtml: !facts[i].mayHaveHtml,
            }),
          );
        }
        const batch = await this.prefetch(tx, rows, facts, parsed);
        const results: Filed[] = [];
        // one batch of ticket changes: the automation rules are read once for all its mails
        await this.hooks.inBatch(tx, async () => {
          for (let i = 0; i < rows.length; i++) {
            const row = rows[i];
            results[i] = await this.file(tx, row, facts[i], parsed[i], batch, (r) => {
              results[i] = r;
            });
          }
          await this.openPending(tx, batch);
        });
        rows.forEach((r, i) =>
          this.logger.info(
            { inboundId: r.id, messageId: r.messageId, ...results[i] },
            'inbound mail filed',
          ),
        );
        await this.repo.insertMessageMails(tx, batch.mails);
        await this.repo.finishInboundMany(tx, batch.finished);
        for (const r of results) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
        return rows.length;
      });
      // committed: the jobs of these mails that come later have nothing to claim
      for (const id of claimed) this.rememberFiled(id);
      return n;
    } catch (err) {
      if (claimed.length <= 1) throw err;
      this.logger.warn(
        { err, mails: claimed.length },
        'inbound batch failed; filing its mails one by one',
      );
      let own: unknown = null;
      for (const id of claimed) {
        try {
          await this.fileBatch([id], 1, true, outcomes);
        } catch (e) {
          if (first.includes(id)) own ??= e;
          else this.logger.warn({ err: e, inboundId: id }, 'inbound mail not filed; will retry');
        }
      }
      if (own) throw own;
      return claimed.length;
    } finally {
      for (const id of claimed) if (this.filingHere.get(id) === held) this.filingHere.delete(id);
      over();
    }
  }

  /**
   * Keeps the bytes of a mail this process stored for its filing (usually a moment later, in
   * this process): the claim then reads the row without them. Oldest first, within
   * {@link RAW_HELD_BYTES} and {@link RAW_HELD_MS}; a mail filed by another process simply ages out.
   */
  private holdRaw(id: string, raw: Buffer): void {
    const now = Date.now();
    this.rawHeld.set(id, { raw, at: now });
    this.rawHeldBytes += raw.length;
    for (const [old, h] of this.rawHeld) {
      if (this.rawHeldBytes <= RAW_HELD_BYTES && now - h.at < RAW_HELD_MS) break;
      this.dropRaw(old);
    }
  }

  private dropRaw(id: string): void {
    const h = this.rawHeld.get(id);
    if (!h) return;
    this.rawHeld.delete(id);
    this.rawHeldBytes -= h.raw.length;
  }

  /** The held bytes a claim may need: the named mails', then the oldest (the claim's order). */
  private heldRaw(first: string[]): Map<string, Buffer> {
    const held = new Map<string, Buffer>();
    for (const id of first) {
      const h = this.rawHeld.get(id);
      if (h) held.set(id, h.raw);
    }
    for (const [id, h] of this.rawHeld) {
      if (held.size >= RAW_HELD_PER_CLAIM) break;
      held.set(id, h.raw);
    }
    return held;
  }

  private rememberFiled(id: string): void {
    this.dropRaw(id);
    this.filedHere.add(id);
    if (this.filedHere.size > FILED_MEMORY) {
      const oldest = this.filedHere.values().next();
      if (!oldest.done) this.filedHere.delete(oldest.value);
    }
  }

  /**
   * What filing a batch looks up, with one query each: our own Message-IDs among the mails, the
   * tickets of the Message-IDs they reference, the senders' contacts, the customers owning the
   * senders' domains. Filing keeps it current as it creates contacts,
   * customers and messages, so a later mail of the batch sees what an earlier one made.
   */
  private async prefetch(
    tx: Tx,
    rows: InboundRow[],
    facts: RawFacts[],
    parsed: ParsedMail[],
  ): Promise<FilingBatch> {
    const refs = new Set<string>();
    const senders = new Set<string>();
    for (let i = 0; i < rows.length; i++) {
      const { headers } = facts[i];
      for (const id of messageIdList(headers.get('in-reply-to'))) refs.add(id);
      for (const id of messageIdList(headers.get('references'))) refs.add(id);
      const from = addresses(parsed[i].from)[0];
      if (from) senders.add(from.address);
    }
    // one query for both: our own Message-IDs among the mails, and the referenced messages
    const known = await this.repo.messagesByMessageIds(tx, [
      ...new Set([...rows.map((r) => r.messageId), ...refs]),
    ]);
    const contacts = await this.repo.contactsByEmails(tx, [...senders]);
    const ownIds = new Set(rows.map((r) => r.messageId));
    const batch: FilingBatch = {
      own: new Set(
        known
          .filter((k) => k.direction === 'out' && ownIds.has(k.messageId))
          .map((k) => k.messageId),
      ),
      threads: new Map(
        known
          .filter((k) => refs.has(k.messageId))
          .map((k) => [k.messageId, { ticketId: k.ticketId, order: BigInt(k.ticketMessageId) }]),
      ),
      contacts: new Map(),
      domains: new Map(),
      mails: [],
      finished: [],
      opening: [],
    };
    for (const c of contacts) {
      const list = batch.contacts.get(c.email) ?? [];
      list.push({ id: c.id, customerId: c.customerId });
      batch.contacts.set(c.email, list);
    }
    // the domains of senders with no contact yet (a customer owning it gets the contact)
    const domains = new Set<string>();
    for (const a of senders) {
      const d = domainOf(a);
      if (!batch.contacts.has(a) && d && !PUBLIC_MAIL_DOMAINS.has(d)) domains.add(d);
    }
    for (const d of domains) batch.domains.set(d, null);
    for (const c of await this.repo.customersByDomains(tx, [...domains])) {
      batch.domains.set(c.domain, c.id);
    }
    return batch;
  }

  private async file(
    tx: Tx,
    row: InboundRow,
    facts: RawFacts,
    mail: ParsedMail,
    batch: FilingBatch,
    settled: (r: Filed) => void,
  ): Promise<Filed> {
    const { headers } = facts;
    const from = addresses(mail.from)[0] ?? null;
    const support = this.config.email.supportAddresses;
    const finish = (
      status: 'processed' | 'ignored',
      outcome: InboundOutcome,
      ticketId: string | null = null,
      ticketMessageId: string | null = null,
    ) => {
      batch.finished.push({ id: row.id, status, outcome, ticketId, ticketMessageId });
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
      batch.own.has(row.messageId)
    ) {
      return finish('ignored', 'own_mail');
    }

    // the ticket of the newest stored message among the references (a reply to a mail of this
    // batch whose ticket is still to be opened opens the waiting tickets first)
    const refs = [
      ...messageIdList(headers.get('in-reply-to')),
      ...messageIdList(headers.get('references')),
    ];
    if (batch.opening.length && refs.some((r) => batch.opening.some((o) => o.messageId === r))) {
      await this.openPending(tx, batch);
    }
    let ticketId: string | null = null;
    let newest = -1n;
    for (const ref of refs) {
      const t = batch.threads.get(ref);
      if (t && t.order > newest) [ticketId, newest] = [t.ticketId, t.order];
    }
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

    const senderContacts = batch.contacts.get(from.address) ?? [];
    if (!ticketId) {
      // [#number] in the subject counts only for a sender of that ticket's customer
      const number = ticketNumberOfSubject(mail.subject);
      if (number !== null) await this.openPending(tx, batch); // numbers exist once opened
      const t = number !== null ? await this.tickets.byNumber(tx, number) : null;
      if (t && senderContacts.some((c) => c.customerId === t.customerId)) ticketId = t.id;
    }

    const content = this.content(mail, facts.plainPart);
    const ticket = ticketId ? await this.tickets.lockForMail(tx, ticketId) : null;
    // what follows once the mail's message exists: its envelope, its thread entry, its files
    const filed = async (
      outcome: InboundOutcome,
      result: { ticketId: string; messageId: string },
    ): Promise<Filed> => {
      batch.mails.push({
        ticketMessageId: result.messageId,
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
      // a later mail of the batch answering this one threads onto the same ticket
      batch.threads.set(row.messageId, {
        ticketId: result.ticketId,
        order: BigInt(result.messageId),
      });
      // inline images referenced from the HTML are part of the text; everything else is a file
      const files = mail.attachments.filter((a) => !(a.related && a.contentId));
      if (files.length) {
        await this.attachments.storeForMessage(
          tx,
          result.messageId,
          files.map((a) => ({
            filename: a.filename,
            declaredType: a.contentType,
            bytes: a.content,
          })),
        );
      }
      return finish('processed', outcome, result.ticketId, result.messageId);
    };
    if (ticket && ticket.status !== 'closed') {
      // the sender of a threaded reply joins the ticket's customer (a colleague in CC answering)
      const contactId =
        senderContacts.find((c) => c.customerId === ticket.customerId)?.id ??
        (strongThread
          ? await this.ensureContact(tx, batch, ticket.customerId, from)
          : ticket.requesterId);
      const result = await this.tickets.addFromMail(tx, ticket, contactId, content.body);
      return filed(ticket.status === 'solved' ? 'reopened' : 'threaded', {
        ticketId: result.ticket.id,
        messageId: result.message.id,
      });
    }
    const person = ticket
      ? {
          customerId: ticket.customerId,
          contactId:
            senderContacts.find((c) => c.customerId === ticket.customerId)?.id ??
            (await this.ensureContact(tx, batch, ticket.customerId, from)),
        }
      : await this.person(tx, batch, from, senderContacts);
    const outcome: InboundOutcome = ticket ? 'linked_ticket' : 'new_ticket';
    // opened with the batch's other new tickets (openPending): one statement for all of them
    batch.opening.push({
      messageId: row.messageId,
      input: {
        requesterId: person.contactId,
        customerId: person.customerId,
        subject: (mail.subject ?? '').replace(/\[#\d{1,9}\]\s*/, ''),
        body: content.body,
        linkedFrom: ticket?.id ?? null,
      },
      then: async (opened) => settled(await filed(outcome, opened)),
    });
    return { outcome };
  }

  /**
   * Opens the tickets waiting in the batch with one statement (`insertMailTickets`: the rows
   * `TicketsService.openFromMail` writes for each), then, ticket by ticket in mail order, runs
   * the `ticket_created` hooks (automation rules) and finishes filing its mail.
   */
  private async openPending(tx: Tx, batch: FilingBatch): Promise<void> {
    const waiting = batch.opening.splice(0);
    if (waiting.length === 0) return;
    const opened = await insertMailTickets(
      tx,
      waiting.map((w) => w.input),
    );
    for (let i = 0; i < waiting.length; i++) {
      await this.hooks.run(tx, {
        trigger: 'ticket_created',
        ticketId: opened[i].ticketId,
        actor: null,
      });
      await waiting[i].then(opened[i]);
    }
  }

  /** A contact of the customer with the sender's address (created when missing). */
  private async ensureContact(
    tx: Tx,
    batch: FilingBatch,
    customerId: string,
    from: { address: string; name: string },
  ): Promise<string> {
    const id = await this.customers.ensureContact(
      tx,
      customerId,
      from.name || from.address,
      from.address,
    );
    const list = batch.contacts.get(from.address) ?? [];
    if (!list.some((c) => c.id === id)) list.push({ id, customerId });
    batch.contacts.set(from.address, list);
    return id;
  }

  /** Sender → contact: a known address, else a contact of the customer owning the domain, else a new customer. */
  private async person(
    tx: Tx,
    batch: FilingBatch,
    from: { address: string; name: string },
    known: { id: string; customerId: string }[],
  ): Promise<{ customerId: string; contactId: string }> {
    if (known.length) return { customerId: known[0].customerId, contactId: known[0].id };
    const domain = domainOf(from.address);
    const publicDomain = PUBLIC_MAIL_DOMAINS.has(domain);
    let byDomain = publicDomain ? null : batch.domains.get(domain);
    if (byDomain === undefined) {
      byDomain = (await this.repo.customerByDomain(tx, domain))?.id ?? null;
      batch.domains.set(domain, byDomain);
    }
    let customerId = byDomain;
    if (!customerId) {
      customerId = await this.customers.createSenderCustomer(
        tx,
        publicDomain ? from.name || from.address : domain,
        publicDomain ? null : domain,
      );
      if (!publicDomain) batch.domains.set(domain, customerId);
    }
    const contactId = await this.ensureContact(tx, batch, customerId, from);
    return { customerId, contactId };
  }

  /** The text to show (new part), the full text, and sanitized HTML. */
  private content(
    mail: ParsedMail,
    plainPart: boolean,
  ): { body: string; fullText: string; html: string | null } {
    const html = mail.html ? sanitizeHtml(mail.html) : null;
    // HTML-only mail: text from the sanitized HTML (mailparser's own conversion keeps link targets)
    const full = (
      plainPart && mail.text?.trim() ? mail.text : html ? htmlToText(html) : (mail.text ?? '')
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
    ) => { outcome: InboundOutcome; ticketId?: string },
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
      await this.customers.markAddressesBouncing(tx, recipients, diagnostic);
      for (const o of ours) {
        await this.repo.markFailed(tx, o.ticketMessageId, `bounced: ${diagnostic}`, 'bounced');
        await this.tickets.recordMailEventInTx(tx, {
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
