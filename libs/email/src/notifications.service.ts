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
import { NotificationsRepository, NotifyTarget } from './notifications.repository';

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
    private readonly repo: NotificationsRepository,
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
      await this.repo.forget(this.tx.db, d.key);
      throw err;
    }
    return { sent: true };
  }

  /** SLA targets due within the hour on assigned tickets: one warning per ticket and due time. */
  async scanSlaWarnings(): Promise<number> {
    const rows = await this.repo.slaWarningsDue(this.tx.db);
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
      const n = await this.repo.sentLastHour(tx, recipient);
      if (n >= this.config.email.autoPerHour) {
        this.logger.warn({ recipient, key }, 'automatic mail capped for this address this hour');
        return 'hourly cap reached';
      }
    }
    return (await this.repo.record(tx, key, recipient)) ? 'ok' : 'already sent';
  }

  private async target(
    tx: Tx,
    ticketId: string,
    userId: string | null,
  ): Promise<NotifyTarget | null> {
    return this.repo.target(tx, ticketId, userId);
  }
}
