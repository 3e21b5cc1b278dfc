import {
  Args,
  GraphQLISODateTime,
  ID,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { AttachmentObject, AttachmentsLoaders } from '@staydesk/attachments';
import { Loaders, RequestLoaders } from '@staydesk/core';
import { ContactObject } from '@staydesk/customers';
import { Actor, CurrentUser, EVERYONE, Roles, TeamObject } from '@staydesk/identity';
import { TicketMessageObject } from '@staydesk/tickets';
import { EmailLoaders } from './email.loaders';
import {
  MailboxInputType,
  MailboxObject,
  MailNotificationSettingsInput,
  MailNotificationSettingsObject,
  MessageDeliveryObject,
  MessageMailObject,
  TeamMailSenderInput,
  TeamMailSenderObject,
} from './email.object';
import { EmailService } from './email.service';
import { ImapService } from './imap.service';

@Resolver(() => TicketMessageObject)
export class MessageMailResolver {
  @ResolveField(() => MessageMailObject, {
    nullable: true,
    description:
      "The e-mail side of this message: inbound envelope, or the send status of a public reply (sent, or failed with the server's answer). Null for notes and messages that never were mail.",
  })
  mail(@Parent() m: TicketMessageObject, @Loaders() loaders: RequestLoaders) {
    return loaders.get(EmailLoaders).messageMail.load(m.id);
  }

  @ResolveField(() => MessageDeliveryObject, {
    nullable: true,
    description:
      'Delivery of a public reply by e-mail (queued, sending, sent, failed, bounced, suppressed). Null for notes and customer messages.',
  })
  async delivery(
    @Parent() m: TicketMessageObject,
    @Loaders() loaders: RequestLoaders,
  ): Promise<MessageDeliveryObject | null> {
    const mail = await loaders.get(EmailLoaders).messageMail.load(m.id);
    if (!mail || mail.direction !== 'out') return null;
    return {
      status: mail.status === 'received' ? 'sent' : mail.status,
      at: mail.statusAt ?? mail.sentAt ?? m.createdAt,
      error: mail.status === 'sent' ? null : mail.error,
    };
  }

  @ResolveField(() => [AttachmentObject], {
    description:
      "Files of this message (inbound mail's attachments, or uploads sent with a reply or kept with a note).",
  })
  attachments(@Parent() m: TicketMessageObject, @Loaders() loaders: RequestLoaders) {
    return loaders.get(AttachmentsLoaders).byMessage.load(m.id);
  }
}

@Resolver(() => ContactObject)
export class ContactBounceResolver {
  constructor(private readonly email: EmailService) {}

  @Roles(...EVERYONE)
  @Mutation(() => ContactObject, {
    description:
      "Clears the bouncing mark of a contact's address (on every contact with that address), so replies and surveys are mailed to it again.",
  })
  clearContactBounce(
    @CurrentUser() actor: Actor,
    @Args('contactId', { type: () => ID }) contactId: string,
  ) {
    return this.email.clearBounce(actor, contactId);
  }

  @ResolveField(() => GraphQLISODateTime, {
    nullable: true,
    description: 'When mail to this address last bounced for good (null: delivering).',
  })
  async emailBouncingAt(@Parent() c: ContactObject, @Loaders() loaders: RequestLoaders) {
    return (await loaders.get(EmailLoaders).contactBounce.load(c.id))?.bouncingAt ?? null;
  }

  @ResolveField(() => String, {
    nullable: true,
    description: "The receiving server's diagnostic of the bounce.",
  })
  async emailBounceReason(@Parent() c: ContactObject, @Loaders() loaders: RequestLoaders) {
    return (await loaders.get(EmailLoaders).contactBounce.load(c.id))?.reason ?? null;
  }
}

@Resolver(() => TeamObject)
export class TeamMailSenderResolver {
  constructor(private readonly email: EmailService) {}

  @ResolveField(() => TeamMailSenderObject, {
    description: "Sender name, address and signature of the team's replies.",
  })
  async mailSender(@Parent() t: TeamObject, @Loaders() loaders: RequestLoaders) {
    return (
      (await loaders.get(EmailLoaders).teamSender.load(t.id)) ?? {
        fromName: null,
        fromAddress: null,
        signature: null,
      }
    );
  }

  @Roles('admin')
  @Mutation(() => TeamMailSenderObject, {
    description:
      "Sets a team's sender name, address and signature for replies (admins). Empty values fall back to MAIL_FROM.",
  })
  setTeamMailSender(
    @CurrentUser() actor: Actor,
    @Args('teamId', { type: () => ID }) teamId: string,
    @Args('input') input: TeamMailSenderInput,
  ) {
    return this.email.setTeamSender(actor, teamId, input);
  }

  @Roles(...EVERYONE)
  @Query(() => MailNotificationSettingsObject, { description: 'Which notification e-mails I get.' })
  myMailNotifications(@CurrentUser() actor: Actor) {
    return this.email.notificationSettings(actor);
  }

  @Roles(...EVERYONE)
  @Mutation(() => MailNotificationSettingsObject, {
    description: 'Switches my notification e-mails on or off (omitted fields stay as they are).',
  })
  setMyMailNotifications(
    @CurrentUser() actor: Actor,
    @Args('input') input: MailNotificationSettingsInput,
  ) {
    return this.email.setNotificationSettings(actor, input);
  }
}

@Resolver(() => MailboxObject)
export class MailboxResolver {
  constructor(private readonly imap: ImapService) {}

  @Roles('admin')
  @Query(() => [MailboxObject], {
    description: 'IMAP mailboxes the worker imports mail from (admins).',
  })
  mailboxes() {
    return this.imap.list();
  }

  @Roles('admin')
  @Mutation(() => MailboxObject, {
    description: 'Adds an IMAP mailbox to import mail from (admins).',
  })
  createMailbox(@CurrentUser() actor: Actor, @Args('input') input: MailboxInputType) {
    return this.imap.create(actor, input);
  }

  @Roles('admin')
  @Mutation(() => MailboxObject, {
    description: 'Stops or resumes importing from a mailbox (admins).',
  })
  setMailboxActive(
    @CurrentUser() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('active') active: boolean,
  ) {
    return this.imap.setActive(actor, id, active);
  }
}
