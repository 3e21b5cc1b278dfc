import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'kysely';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  APP_CONFIG,
  AppConfig,
  JobData,
  JobPublisher,
  TransactionRunner,
  Tx,
  db,
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
      await db(this.tx.db)
        .deleteFrom('mailNotifications')
        .where('mailNotifications.key', '=', d.key)
        .execute();
      throw err;
    }
    return { sent: true };
  }

  /** SLA targets due within the hour on assigned tickets: one warning per ticket and due time. */
  async scanSlaWarnings(): Promise<number> {
    const rows = await db(this.tx.db)
      .selectFrom('tickets')
      .select((eb) => [
        'tickets.id',
        sql<string>`extract(epoch FROM ${eb.ref('tickets.nextDueAt')})::bigint::text`.as('due'),
      ])
      .where('tickets.nextDueAt', '>', sql<Date>`now()`)
      .where('tickets.nextDueAt', '<=', sql<Date>`now() + interval '1 hour'`)
      .where('tickets.status', 'not in', ['solved', 'closed'])
      .where('tickets.assigneeId', 'is not', null)
      .orderBy('tickets.nextDueAt')
      .limit(1000)
      .execute();
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
      const { n } = await db(tx)
        .selectFrom('mailNotifications')
        .select((eb) => eb.cast<number>(eb.fn.countAll(), 'integer').as('n'))
        .where((eb) =>
          eb(
            eb.fn('lower', ['mailNotifications.recipient']),
            '=',
            eb.fn('lower', [eb.val(recipient)]),
          ),
        )
        .where('mailNotifications.sentAt', '>', sql<Date>`now() - interval '1 hour'`)
        .executeTakeFirstOrThrow();
      if (n >= this.config.email.autoPerHour) {
        this.logger.warn({ recipient, key }, 'automatic mail capped for this address this hour');
        return 'hourly cap reached';
      }
    }
    const rows = await db(tx)
      .insertInto('mailNotifications')
      .values({ key, recipient })
      .onConflict((oc) => oc.doNothing())
      .returning('key')
      .execute();
    return rows.length ? 'ok' : 'already sent';
  }

  private async target(
    tx: Tx,
    ticketId: string,
    userId: string | null,
  ): Promise<NotifyTarget | null> {
    const row = await db(tx)
      .selectFrom('tickets as t')
      .innerJoin('users as u', (join) =>
        join.on((eb) =>
          eb('u.id', '=', eb.fn.coalesce(sql<string | null>`${userId}::bigint`, 't.assigneeId')),
        ),
      )
      .select([
        't.id as ticketId',
        't.number',
        't.subject',
        't.status',
        't.assigneeId',
        'u.id as userId',
        'u.email',
        'u.name',
        'u.active',
        'u.notifyAssigned',
        'u.notifyCustomerReply',
        'u.notifySlaWarning',
      ])
      .where('t.id', '=', ticketId)
      .executeTakeFirst();
    return row ?? null;
  }
}
