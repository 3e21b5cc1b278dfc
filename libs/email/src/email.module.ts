import { Module } from '@nestjs/common';
import { AttachmentsModule } from '@staydesk/attachments';
import { CustomersModule } from '@staydesk/customers';
import { IdentityModule } from '@staydesk/identity';
import { MailModule } from '@staydesk/mail';
import { TicketsModule } from '@staydesk/tickets';
import { EmailLoaders } from './email.loaders';
import { EmailProcessor } from './email.processor';
import { EmailRepository } from './email.repository';
import {
  ContactBounceResolver,
  MailboxResolver,
  MessageMailResolver,
  TeamMailSenderResolver,
} from './email.resolver';
import { ImapIdleService } from './imap-idle.service';
import { ImapService } from './imap.service';
import { MailboxAdminResolver, MailboxAdminService } from './mailbox-admin';
import { MailboxesRepository } from './mailboxes.repository';
import { EmailService } from './email.service';
import { InboundSmtpReceiver } from './inbound-smtp.receiver';
import { InboundService } from './inbound.service';
import { NotificationsRepository } from './notifications.repository';
import { NotificationsService } from './notifications.service';
import { OutboundService } from './outbound.service';
import { PasswordResetMailer } from './password-reset.mailer';

@Module({
  imports: [TicketsModule, CustomersModule, MailModule, AttachmentsModule, IdentityModule],
  providers: [
    EmailRepository,
    MailboxesRepository,
    ImapService,
    EmailService,
    EmailLoaders,
    InboundService,
    OutboundService,
    NotificationsRepository,
    NotificationsService,
    PasswordResetMailer,
  ],
  exports: [
    EmailService,
    ImapService,
    MailboxesRepository,
    EmailLoaders,
    InboundService,
    OutboundService,
    NotificationsService,
    PasswordResetMailer,
  ],
})
export class EmailModule {}

/** api: the mail fields of messages, contacts and teams; sender and notification settings. */
@Module({
  imports: [EmailModule],
  providers: [
    MessageMailResolver,
    ContactBounceResolver,
    TeamMailSenderResolver,
    MailboxResolver,
    MailboxAdminService,
    MailboxAdminResolver,
  ],
})
export class EmailApiModule {}

/** worker: replies out, the inbound SMTP receiver, filing, sweeps and notifications. */
@Module({
  imports: [EmailModule],
  providers: [EmailProcessor, InboundSmtpReceiver, ImapIdleService],
})
export class EmailWorkerModule {}
