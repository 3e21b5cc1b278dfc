import { Injectable } from '@nestjs/common';
import { AuditRepository, TransactionRunner, badInput, notFound } from '@staydesk/core';
import { CustomersService } from '@staydesk/customers';
import { Actor, IdentitySettingsRepository, validateId } from '@staydesk/identity';
import { EmailRepository, TeamSenderRow } from './email.repository';

const ADDRESS = /^[^@\s<>",;]+@[^@\s<>",;]+\.[^@\s<>",;]+$/;

/** E-mail settings people change through the API: team senders, own notification mails. */
@Injectable()
export class EmailService {
  constructor(
    private readonly repo: EmailRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditRepository,
    private readonly customers: CustomersService,
    private readonly identitySettings: IdentitySettingsRepository,
  ) {}

  messageMail(ids: readonly string[]) {
    return this.repo.messageMailByIds(this.tx.db, ids);
  }

  contactBounces(ids: readonly string[]) {
    return this.repo.contactBounces(this.tx.db, ids);
  }

  teamSenders(ids: readonly string[]) {
    return this.repo.teamSenders(this.tx.db, ids);
  }

  async setTeamSender(
    actor: Actor,
    teamId: string,
    input: { fromName?: string | null; fromAddress?: string | null; signature?: string | null },
  ): Promise<TeamSenderRow> {
    validateId(teamId, 'teamId');
    const clean = (v: string | null | undefined) => (v?.trim() ? v.trim() : null);
    const row: TeamSenderRow = {
      teamId,
      fromName: clean(input.fromName),
      fromAddress: clean(input.fromAddress)?.toLowerCase() ?? null,
      signature: clean(input.signature),
    };
    if (row.fromName && (row.fromName.length > 100 || /[\r\n"<>]/.test(row.fromName))) {
      throw badInput(
        'fromName',
        'must be at most 100 characters without quotes, angle brackets or line breaks',
      );
    }
    if (row.fromAddress && (!ADDRESS.test(row.fromAddress) || row.fromAddress.length > 254)) {
      throw badInput('fromAddress', 'must be a plain e-mail address like support@example.com');
    }
    if (row.signature && row.signature.length > 2000) {
      throw badInput('signature', 'must be at most 2000 characters');
    }
    return this.tx.run(async (tx) => {
      if (!(await this.identitySettings.setTeamMailSender(tx, row))) throw notFound('team', teamId);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'team.mail_sender',
        entity: 'team',
        entityId: teamId,
        details: { fromName: row.fromName, fromAddress: row.fromAddress },
      });
      return row;
    });
  }

  /** Clears a contact's bouncing address so it is mailed again (any signed-in user). */
  async clearBounce(actor: Actor, contactId: string) {
    validateId(contactId, 'contactId');
    return this.tx.run(async (tx) => {
      const done = await this.customers.clearAddressBouncing(tx, contactId);
      if (!done) throw notFound('contact', contactId);
      if (done.cleared > 0) {
        await this.audit.record(tx, {
          actorId: actor.id,
          action: 'contact.bounce_cleared',
          entity: 'contact',
          entityId: contactId,
          details: { email: done.email, contacts: done.cleared },
        });
      }
      const [contact] = await this.customers.contactsByIds([contactId], tx);
      return contact;
    });
  }

  async notificationSettings(actor: Actor) {
    const s = await this.repo.notificationSettings(this.tx.db, actor.id);
    if (!s) throw notFound('user', actor.id);
    return s;
  }

  async setNotificationSettings(
    actor: Actor,
    input: {
      assigned?: boolean | null;
      customerReply?: boolean | null;
      slaWarning?: boolean | null;
    },
  ) {
    await this.tx.run((tx) => this.identitySettings.setMailNotifications(tx, actor.id, input));
    return this.notificationSettings(actor);
  }
}
