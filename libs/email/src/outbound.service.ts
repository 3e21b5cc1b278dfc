import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AttachmentsService } from '@staydesk/attachments';
import { APP_CONFIG, AppConfig, Coalescer, TransactionRunner } from '@staydesk/core';
import {
  MailService,
  PermanentMailError,
  SendJournal,
  addressOf,
  replyAddress,
  ticketSubject,
} from '@staydesk/mail';
import { TicketsService } from '@staydesk/tickets';
import { EmailRepository, ReplyContext } from './email.repository';
import { sanitizeHtml } from './mail-content';

const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** The reply as mail: plain text and a sanitized HTML part, the team's signature below both. */
export function replyBodies(
  body: string,
  signature: string | null,
): { text: string; html: string } {
  const sig = signature?.trim() ? `\n\n-- \n${signature.trim()}` : '';
  const text = `${body.trim()}${sig}`;
  const paragraphs = body
    .trim()
    .split(/\n{2,}/)
    .map((p) => `<p>${esc(p).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  const sigHtml = signature?.trim()
    ? `\n<p style="color:#555">-- <br>${esc(signature.trim()).replace(/\n/g, '<br>')}</p>`
    : '';
  return { text, html: sanitizeHtml(`<div>${paragraphs}${sigHtml}</div>`) };
}

/** Replies claimed by one job; the SMTP pool sends them side by side. */
const BATCH = 100;
/** A claim on a batch, renewed every third of it while the batch sends. */
const LEASE_SECONDS = 15;
/** A temporary failure (4xx, network) is claimed again after this. */
const RETRY_SECONDS = 30;

export interface ReplyBatchOutcome {
  sent: number;
  reconciled: number;
  suppressed: number;
  failed: number;
  retrying: number;
}

/** What a reply to a bouncing address shows instead of being mailed. */
export const NOT_SENT_BOUNCING = 'not sent: address bouncing';

/** How many finished replies a process remembers (see OutboundService.settledHere). */
const SETTLED_MEMORY = 20_000;

/** Keeps References short: the thread's first id and the latest ones. */
function shortReferences(ids: string[], max = 20): string[] {
  return ids.length <= max ? ids : [ids[0], ...ids.slice(ids.length - (max - 1))];
}

/** Mails agents' public replies (worker). */
@Injectable()
export class OutboundService {
  /**
   * Replies this process has claimed and is sending, and (the last SETTLED_MEMORY) ones it has
   * finished (sent, reconciled, suppressed, failed). A burst of N replies is N `mail.send-reply`
   * jobs, but the first job's batch claims up to BATCH of them: the jobs of replies that a batch
   * here holds or has finished return at once instead of each running a claim transaction that
   * scans every pending reply to find its own taken (2,000 such claims during a 2,000-reply
   * burst). A reply's job still claims it when it is in neither set (not claimed here, or left
   * for a retry), so every reply keeps a job that claims it; other workers claim as before.
   */
  private readonly inFlight = new Set<string>();
  private readonly settledHere = new Set<string>();

  constructor(
    private readonly repo: EmailRepository,
    private readonly tx: TransactionRunner,
    private readonly mail: MailService,
    private readonly journal: SendJournal,
    private readonly attachments: AttachmentsService,
    private readonly tickets: TicketsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(OutboundService.name) private readonly logger: PinoLogger,
  ) {}

  /**
   * Mails waiting public replies in a batch: claims up to BATCH of them (this job's reply first),
   * loads their context, threads, bouncing addresses and files with one query each, and sends
   * them side by side over the pooled SMTP connections. Each goes to the requester and the CCs,
   * with the stored Message-ID, threading headers and the ticket's signed Reply-To. A permanent
   * refusal (5xx) is recorded on the message and in the ticket's history; a temporary one puts
   * it back in the queue for RETRY_SECONDS. Bouncing addresses are not mailed: a bouncing
   * requester suppresses the mail (`not sent: address bouncing`), bouncing CCs are left out.
   *
   * Duplicate window: a claimed reply is `sending` (committed) before its SMTP transaction and
   * gets `data_sent_at` (SendJournal) as soon as the whole message is written to the server. A
   * worker killed after that point, before the 250 was recorded, leaves a claim that expires;
   * whoever claims it next reconciles it as sent. One killed earlier is sent again (the server
   * never got the final dot, so it kept nothing).
   */
  async sendReplies(first: string | null): Promise<ReplyBatchOutcome> {
    const outcome: ReplyBatchOutcome = {
      sent: 0,
      reconciled: 0,
      suppressed: 0,
      failed: 0,
      retrying: 0,
    };
    if (first && (this.inFlight.has(first) || this.settledHere.has(first))) return outcome;
    const claimed = await this.tx.run((tx) =>
      this.repo.claimReplies(tx, first ? [first] : [], BATCH, LEASE_SECONDS),
    );
    if (claimed.length === 0) return outcome;
    for (const c of claimed) this.inFlight.add(c.id);
    const settled = new Set<string>();
    try {
      await this.sendClaimed(claimed, outcome, settled);
    } finally {
      for (const c of claimed) this.inFlight.delete(c.id);
      for (const id of settled) this.settledHere.add(id);
      // forget the oldest (a Set iterates in insertion order)
      for (const id of this.settledHere) {
        if (this.settledHere.size <= SETTLED_MEMORY) break;
        this.settledHere.delete(id);
      }
    }
    return outcome;
  }

  /** Mails a claimed batch (see sendReplies); `settled` collects the replies that are done. */
  private async sendClaimed(
    claimed: { id: string; handed: boolean }[],
    outcome: ReplyBatchOutcome,
    settled: Set<string>,
  ): Promise<void> {
    const contexts = await this.repo.replyContexts(
      this.tx.db,
      claimed.map((c) => c.id),
    );
    const handed = new Set(claimed.filter((c) => c.handed).map((c) => c.id));
    const bouncing = await this.repo.bouncingAddresses(
      this.tx.db,
      contexts.flatMap((c) => [c.requesterEmail, ...c.mail.ccAddresses]),
    );
    const recipients = (ctx: ReplyContext) => {
      const to = ctx.requesterEmail.toLowerCase();
      return {
        to,
        cc: ctx.mail.ccAddresses.filter((a) => a !== to && !bouncing.has(a.toLowerCase())),
      };
    };

    // a dead worker's replies the server already had: sent, not mailed again
    const reconciled = contexts.filter((c) => handed.has(c.messageId));
    if (reconciled.length > 0) {
      await this.repo.markSentMany(
        this.tx.db,
        reconciled.map((c) => {
          const r = recipients(c);
          return { id: c.messageId, to: [r.to, ...r.cc] };
        }),
      );
      outcome.reconciled = reconciled.length;
      for (const c of reconciled) settled.add(c.messageId);
      this.logger.warn(
        { messageIds: reconciled.map((c) => c.messageId) },
        'replies reconciled as sent after an interrupted send',
      );
    }
    const rest = contexts.filter((c) => !handed.has(c.messageId));
    const skipped = rest.filter(
      (c) => c.kind !== 'public_reply' || bouncing.has(c.requesterEmail.toLowerCase()),
    );
    if (skipped.length > 0) {
      await this.tx.run(async (tx) => {
        for (const c of skipped) {
          const reply = c.kind === 'public_reply';
          await this.repo.markFailed(
            tx,
            c.messageId,
            reply ? NOT_SENT_BOUNCING : 'not a public reply',
            reply ? 'suppressed' : 'failed',
          );
        }
      });
      outcome.suppressed = skipped.length;
      for (const c of skipped) settled.add(c.messageId);
      this.logger.info(
        { messageIds: skipped.map((c) => c.messageId) },
        'replies not mailed: the address is bouncing',
      );
    }
    const toSend = rest.filter((c) => !skipped.includes(c));
    if (toSend.length === 0) return;

    const ids = toSend.map((c) => c.messageId);
    const threads = await this.repo.threadsOf(this.tx.db, ids);
    const files = await this.attachments.byMessageIds(ids);
    const pending = new Set(ids);
    const renew = setInterval(
      () => {
        void this.repo.renewLease(this.tx.db, [...pending], LEASE_SECONDS).catch(() => undefined);
      },
      (LEASE_SECONDS * 1000) / 3,
    );
    renew.unref();
    const sentBatch = new Coalescer<{ id: string; to: string[] }>((items) =>
      this.repo.markSentMany(this.tx.db, items),
    );
    // the final dots written in one turn of the event loop: one journal mark
    const handedOver = new Coalescer<string>((messageIds) =>
      this.journal.mark(EmailRepository.DATA_SENT_SQL, [messageIds]),
    );
    try {
      await Promise.all(
        toSend.map(async (ctx) => {
          const { to, cc } = recipients(ctx);
          let dataSent: Promise<void> | null = null;
          try {
            const thread = threads.get(ctx.messageId) ?? [];
            const lastIn = [...thread].reverse().find((m) => m.direction === 'in');
            const bodies = replyBodies(ctx.body, ctx.teamSignature);
            const attachments = await Promise.all(
              files
                .filter((f) => f.ticketMessageId === ctx.messageId)
                .map(async (f) => ({
                  filename: f.filename,
                  content: await this.attachments.readBytes(f.sha256),
                  contentType: f.contentType,
                })),
            );
            await this.mail.send({
              from: this.sender(ctx),
              to,
              cc,
              replyTo: replyAddress(
                this.replyBase(ctx),
                ctx.ticketId,
                this.config.email.replySecret,
              ),
              subject: ticketSubject(ctx.ticketNumber, ctx.subject, thread.length > 0),
              text: bodies.text,
              html: bodies.html,
              messageId: ctx.mail.messageId,
              inReplyTo: lastIn?.messageId ?? thread.at(-1)?.messageId,
              references: shortReferences(thread.map((m) => m.messageId)),
              headers: { 'X-Staydesk-Ticket': String(ctx.ticketNumber) },
              attachments,
              onDataSent: () => {
                dataSent = handedOver.add(ctx.messageId);
              },
            });
            await sentBatch.add({ id: ctx.messageId, to: [to, ...cc] });
            outcome.sent++;
            settled.add(ctx.messageId);
          } catch (err) {
            await (dataSent as Promise<void> | null); // settle it before the status moves on
            await this.failed(ctx, err).catch((e: unknown) =>
              this.logger.warn(
                { err: e, messageId: ctx.messageId },
                'could not record a failed send',
              ),
            );
            if (err instanceof PermanentMailError) {
              outcome.failed++;
              settled.add(ctx.messageId);
            } else outcome.retrying++;
          } finally {
            pending.delete(ctx.messageId);
          }
        }),
      );
    } finally {
      clearInterval(renew);
    }
  }

  /** A refused send (5xx: failed, on the message and in the history) or a temporary one (retry). */
  private async failed(ctx: ReplyContext, err: unknown): Promise<void> {
    const message = (err as Error).message ?? String(err);
    if (err instanceof PermanentMailError) {
      await this.tx.run(async (tx) => {
        await this.repo.markFailed(tx, ctx.messageId, message);
        await this.tickets.recordMailEventInTx(tx, {
          ticketId: ctx.ticketId,
          type: 'mail_failed',
          fromValue: ctx.messageId,
          toValue: message,
        });
      });
      this.logger.warn(
        { messageId: ctx.messageId, error: message },
        'reply refused by the mail server',
      );
    } else {
      await this.repo.markRetrying(
        this.tx.db,
        ctx.messageId,
        `will retry: ${message}`,
        RETRY_SECONDS,
      );
      this.logger.warn(
        { messageId: ctx.messageId, error: message },
        'reply not sent yet; will retry',
      );
    }
  }

  /** The team's sender (name and address), or MAIL_FROM. */
  private sender(ctx: ReplyContext): string {
    const name = (ctx.teamFromName ?? '').replace(/["\r\n]/g, '').trim();
    if (ctx.teamFromAddress)
      return name ? `"${name}" <${ctx.teamFromAddress}>` : ctx.teamFromAddress;
    if (name) return `"${name}" <${addressOf(this.config.mail.from) ?? 'support@staydesk.local'}>`;
    return this.config.mail.from;
  }

  /** Replies route through a support address: the team's when it is one, else the first. */
  private replyBase(ctx: ReplyContext): string {
    const team = ctx.teamFromAddress?.toLowerCase();
    return team && this.config.email.supportAddresses.includes(team)
      ? team
      : this.config.email.supportAddresses[0];
  }
}
