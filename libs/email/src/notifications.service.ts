import { Inject, Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  APP_CONFIG,
  AppConfig,
  JobData,
  JobPublisher,
  TransactionRunner,
  Tx,
} from '@staydesk/core';
import { MailService, ticketSubject } from '@staydesk/mail';

interface NotifyTarget {
  ticketId: string;
  number: number;
  subject: string;
  status: string;
  assigneeId: string | null;
  userId: string;
  email: string;
  name: string;
  active: boolean;
  notifyAssigned: boolean;
  notifyCustomerReply: boolean;
  notifySlaWarning: boolean;
}

const TEXT = {
  assigned: (t: NotifyTarget) => `Ticket [#${t.number}] "${t.subject}" was assigned to you.`,
  customer_reply: (t: NotifyTarget) =>
    `The customer replied on your ticket [#${t.number}] "${t.subject}".`,
  sla_warning: (t: NotifyTarget) =>
    `Ticket [#${t.number}] "${t.subject}" will breach its SLA target within the hour.`,
};

/**
 * Mail to agents: a ticket assigned to them, a customer reply on their ticket, an SLA breach
 * within the hour. Each is switchable per user, sent once per key, and automatic mail to one
 * address is capped per hour (MAIL_AUTO_PER_HOUR) so nothing can ping-pong.
 */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly mail: MailService,
    private readonly publisher: JobPublisher,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(NotificationsService.name) private readonly logger: PinoLogger,
  ) {}

  async notify(d: JobData<'mail.notify'>): Promise<{ sent: boolean; reason?: string }> {
    const target = await this.target(this.tx.db, d.ticketId, d.userId ?? null);
    if (!target) return { sent: false, reason: 'no assignee' };
    if (!target.active) return { sent: false, reason: 'user deactivated' };
    const wanted = {
      assigned: target.notifyAssigned,
      customer_reply: target.notifyCustomerReply,
      sla_warning: target.notifySlaWarning,
    }[d.kind];
    if (!wanted) return { sent: false, reason: 'switched off by the user' };
    if (d.kind === 'sla_warning' && ['solved', 'closed'].includes(target.status)) {
      return { sent: false, reason: 'ticket no longer open' };
    }
    const claimed = await this.tx.run((tx) => this.claim(tx, d.key, target.email));
    if (claimed !== 'ok') return { sent: false, reason: claimed };
    const link = `${this.config.http.publicUrl}/tickets/${target.ticketId}`;
    try {
      await this.mail.send({
        to: target.email,
        subject: ticketSubject(target.number, target.subject, false),
        text: `Hello ${target.name},\n\n${TEXT[d.kind](target)}\n\n${link}\n\nYou can switch these mails off in your profile.`,
        headers: { 'Auto-Submitted': 'auto-generated', 'X-Staydesk-Notification': d.kind },
      });
    } catch (err) {
      await this.tx.db.query(`DELETE FROM mail_notifications WHERE key = $1`, [d.key]);
      throw err;
    }
    return { sent: true };
  }

  /** SLA targets due within the hour on assigned tickets: one warning per ticket and due time. */
  async scanSlaWarnings(): Promise<number> {
    const rows: { id: string; due: string }[] = await this.tx.db.query(
      `SELECT id::text, extract(epoch FROM next_due_at)::bigint::text AS due FROM tickets
        WHERE next_due_at > now() AND next_due_at <= now() + interval '1 hour'
          AND status NOT IN ('solved', 'closed') AND assignee_id IS NOT NULL
        ORDER BY next_due_at LIMIT 1000`,
    );
    if (rows.length) {
      await this.publisher.publishBulk(
        'mail.notify',
        rows.map((r) => ({
          data: { kind: 'sla_warning' as const, ticketId: r.id, key: `sla-${r.id}-${r.due}` },
        })),
      );
    }
    return rows.length;
  }

  private async claim(tx: Tx, key: string, recipient: string): Promise<'ok' | string> {
    if (this.config.email.autoPerHour > 0) {
      const [{ n }]: { n: number }[] = await tx.query(
        `SELECT count(*)::int AS n FROM mail_notifications
          WHERE lower(recipient) = lower($1) AND sent_at > now() - interval '1 hour'`,
        [recipient],
      );
      if (n >= this.config.email.autoPerHour) {
        this.logger.warn({ recipient, key }, 'automatic mail capped for this address this hour');
        return 'hourly cap reached';
      }
    }
    const rows: unknown[] = await tx.query(
      `INSERT INTO mail_notifications (key, recipient) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING key`,
      [key, recipient],
    );
    return rows.length ? 'ok' : 'already sent';
  }

  private async target(
    tx: Tx,
    ticketId: string,
    userId: string | null,
  ): Promise<NotifyTarget | null> {
    const rows: NotifyTarget[] = await tx.query(
      `SELECT t.id::text AS "ticketId", t.number, t.subject, t.status, t.assignee_id::text AS "assigneeId",
              u.id::text AS "userId", u.email, u.name, u.active, u.notify_assigned AS "notifyAssigned",
              u.notify_customer_reply AS "notifyCustomerReply", u.notify_sla_warning AS "notifySlaWarning"
         FROM tickets t JOIN users u ON u.id = coalesce($2::bigint, t.assignee_id)
        WHERE t.id = $1`,
      [ticketId, userId],
    );
    return rows[0] ?? null;
  }
}
