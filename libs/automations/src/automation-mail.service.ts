import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import { TransactionRunner } from '@staydesk/core';
import { MailService, PermanentMailError, ticketSubject } from '@staydesk/mail';
import { RulesRepository } from './rules.repository';

/**
 * Sends one queued automatic e-mail (`automation_mails`): a rule's templated mail or a merge
 * notice. Once: a sent or failed row is not sent again; a temporary SMTP failure is retried by
 * the job, a permanent one marks the row failed.
 */
@Injectable()
export class AutomationMailService {
  constructor(
    private readonly repo: RulesRepository,
    private readonly tx: TransactionRunner,
    private readonly mail: MailService,
    @InjectPinoLogger(AutomationMailService.name) private readonly logger: PinoLogger,
  ) {}

  async send(mailId: string): Promise<{ sent: boolean; reason?: string }> {
    const m = await this.repo.mail(this.tx.db, mailId);
    if (!m) return { sent: false, reason: 'no such mail' };
    if (m.status !== 'queued') return { sent: false, reason: `already ${m.status}` };
    try {
      await this.mail.send({
        to: m.recipient,
        subject: m.number ? ticketSubject(m.number, m.subject, false) : m.subject,
        text: m.body,
        headers: {
          'Auto-Submitted': 'auto-generated',
          'X-Staydesk-Automation': m.kind === 'rule' ? `rule-${m.ruleId ?? 'deleted'}` : m.kind,
        },
      });
    } catch (err) {
      if (err instanceof PermanentMailError) {
        await this.repo.markMail(this.tx.db, m.id, 'failed', err.message.slice(0, 500));
        this.logger.warn({ mailId, err: err.message }, 'automatic mail refused');
        return { sent: false, reason: 'refused' };
      }
      throw err;
    }
    await this.repo.markMail(this.tx.db, m.id, 'sent', null);
    return { sent: true };
  }
}
