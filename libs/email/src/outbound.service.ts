import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { AttachmentsService } from '@staydesk/attachments';
import { APP_CONFIG, AppConfig, TransactionRunner } from '@staydesk/core';
import {
  MailService,
  PermanentMailError,
  SendJournal,
  addressOf,
  replyAddress,
  ticketSubject,
} from '@staydesk/mail';
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

/** What a reply to a bouncing address shows instead of being mailed. */
export const NOT_SENT_BOUNCING = 'not sent: address bouncing';

/** Keeps References short: the thread's first id and the latest ones. */
function shortReferences(ids: string[], max = 20): string[] {
  return ids.length <= max ? ids : [ids[0], ...ids.slice(ids.length - (max - 1))];
}

/** Mails agents' public replies (worker). */
@Injectable()
export class OutboundService {
  constructor(
    private readonly repo: EmailRepository,
    private readonly tx: TransactionRunner,
    private readonly mail: MailService,
    private readonly journal: SendJournal,
    private readonly attachments: AttachmentsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(OutboundService.name) private readonly logger: PinoLogger,
  ) {}

  /**
   * Sends one public reply: to the requester and the CCs, with the stored Message-ID, threading
   * headers and the ticket's signed Reply-To. A mail already sent is not sent again; a permanent
   * refusal (5xx) is recorded on the message and in the ticket's history, not retried. Bouncing
   * addresses are not mailed: a bouncing requester suppresses the mail (`not sent: address
   * bouncing`), bouncing CCs are left out.
   *
   * Duplicate window: the reply is `sending` (committed) before the SMTP transaction and gets
   * `data_sent_at` as soon as the whole message is written to the server. A worker killed after
   * that point, before the 250 was recorded, is reconciled as sent when the job is retried; one
   * killed earlier is sent again (the server never got the final dot, so it kept nothing).
   */
  async sendReply(messageId: string): Promise<{ sent: boolean; reason?: 'reconciled' | string }> {
    const ctx = await this.repo.replyContext(this.tx.db, messageId);
    if (!ctx) return { sent: false, reason: 'no such reply' };
    if (ctx.kind !== 'public_reply') return { sent: false, reason: 'not a public reply' };
    const status = ctx.mail.status;
    if (status === 'sent') return { sent: false, reason: 'already sent' };
    if (status !== 'queued' && status !== 'sending') return { sent: false, reason: status };
    const to = ctx.requesterEmail.toLowerCase();
    const bouncing = await this.repo.bouncingAddresses(this.tx.db, [to, ...ctx.mail.ccAddresses]);
    const cc = ctx.mail.ccAddresses.filter((a) => a !== to && !bouncing.has(a.toLowerCase()));
    if (status === 'sending' && ctx.mail.dataSentAt) {
      // a worker died waiting for the server's answer to a message it had handed over whole
      await this.tx.run((tx) => this.repo.markSent(tx, ctx.messageId, [to, ...cc], null));
      this.logger.warn({ messageId }, 'reply reconciled as sent after an interrupted send');
      return { sent: true, reason: 'reconciled' };
    }
    if (bouncing.has(to)) {
      await this.tx.run((tx) =>
        this.repo.markFailed(tx, ctx.messageId, NOT_SENT_BOUNCING, 'suppressed'),
      );
      this.logger.info({ messageId, to }, 'reply not mailed: the address is bouncing');
      return { sent: false, reason: 'bouncing' };
    }
    const thread = await this.repo.threadIds(this.tx.db, ctx.ticketId, ctx.messageId);
    const lastIn = [...thread].reverse().find((m) => m.direction === 'in');
    const inReplyTo = lastIn?.messageId ?? thread.at(-1)?.messageId;
    const bodies = replyBodies(ctx.body, ctx.teamSignature);
    const files = await this.attachments.byMessageIds([ctx.messageId]);
    const attachments = await Promise.all(
      files.map(async (f) => ({
        filename: f.filename,
        content: await this.attachments.readBytes(f.sha256),
        contentType: f.contentType,
      })),
    );
    if (!(await this.repo.markSending(this.tx.db, ctx.messageId))) {
      return { sent: false, reason: 'already finished' };
    }
    let dataSent: Promise<void> | null = null;
    try {
      await this.mail.send({
        from: this.sender(ctx),
        to,
        cc,
        replyTo: replyAddress(this.replyBase(ctx), ctx.ticketId, this.config.email.replySecret),
        subject: ticketSubject(ctx.ticketNumber, ctx.subject, thread.length > 0),
        text: bodies.text,
        html: bodies.html,
        messageId: ctx.mail.messageId,
        inReplyTo,
        references: shortReferences(thread.map((m) => m.messageId)),
        headers: { 'X-Staydesk-Ticket': String(ctx.ticketNumber) },
        attachments,
        onDataSent: () => {
          dataSent = this.journal.mark(EmailRepository.DATA_SENT_SQL, [ctx.messageId]);
        },
      });
    } catch (err) {
      await (dataSent as Promise<void> | null); // settle it before the status moves on
      if (err instanceof PermanentMailError) {
        await this.tx.run(async (tx) => {
          await this.repo.markFailed(tx, ctx.messageId, err.message);
          await this.repo.insertEvent(tx, {
            ticketId: ctx.ticketId,
            type: 'mail_failed',
            fromValue: ctx.messageId,
            toValue: err.message,
          });
        });
        this.logger.warn({ messageId, error: err.message }, 'reply refused by the mail server');
      } else {
        await this.repo
          .markRetrying(this.tx.db, ctx.messageId, `will retry: ${(err as Error).message}`)
          .catch(() => undefined);
      }
      throw err;
    }
    await this.tx.run((tx) => this.repo.markSent(tx, ctx.messageId, [to, ...cc]));
    return { sent: true };
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
