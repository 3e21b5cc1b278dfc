import {
  Field,
  Float,
  GraphQLISODateTime,
  ID,
  Int,
  InputType,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';

export const MailStatusEnum = {
  received: 'received',
  queued: 'queued',
  sending: 'sending',
  sent: 'sent',
  failed: 'failed',
  bounced: 'bounced',
  suppressed: 'suppressed',
};
registerEnumType(MailStatusEnum, {
  name: 'MailStatus',
  description:
    'received: came in by mail. queued: waiting for the worker. sending: in an SMTP transaction. sent: accepted by the mail server. failed: refused for good (see error). bounced: a bounce came back for it. suppressed: not sent, the address is bouncing.',
});

export const DeliveryStatusEnum = {
  queued: 'queued',
  sending: 'sending',
  sent: 'sent',
  failed: 'failed',
  bounced: 'bounced',
  suppressed: 'suppressed',
};
registerEnumType(DeliveryStatusEnum, {
  name: 'DeliveryStatus',
  description:
    "Where a public reply's e-mail is: queued (waiting for the worker, or retrying after a temporary failure: see error), sending, sent (accepted by the mail server), failed (refused for good, with the server's reply), bounced (a bounce report came back), suppressed (not sent: the address is bouncing).",
});

@ObjectType('MessageDelivery', { description: "The e-mail delivery of an agent's public reply." })
export class MessageDeliveryObject {
  @Field(() => DeliveryStatusEnum) status!: string;
  @Field(() => GraphQLISODateTime, { description: 'When the reply reached this status.' })
  at!: Date;
  @Field(() => String, {
    nullable: true,
    description:
      "The mail server's reply or bounce diagnostic (failed, bounced), the temporary error being retried (queued), or why it was not sent (suppressed).",
  })
  error!: string | null;
}

@ObjectType('MessageMail', { description: 'The e-mail envelope of a conversation message.' })
export class MessageMailObject {
  @Field(() => MailStatusEnum) status!: string;
  @Field(() => String, {
    nullable: true,
    description: "The mail server's refusal or the bounce diagnostic.",
  })
  error!: string | null;
  @Field({ description: 'Message-ID header (without angle brackets).' }) messageId!: string;
  @Field(() => String, { nullable: true }) inReplyTo!: string | null;
  @Field(() => String, { nullable: true }) fromAddress!: string | null;
  @Field(() => [String]) toAddresses!: string[];
  @Field(() => [String]) ccAddresses!: string[];
  @Field(() => GraphQLISODateTime, { nullable: true }) sentAt!: Date | null;
  @Field(() => String, {
    nullable: true,
    description: 'Inbound HTML, sanitized (no scripts, styles, handlers or forms).',
  })
  html!: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'The whole inbound text, quoted history and signature included (the message body shows the new part).',
  })
  fullText!: string | null;
}

@ObjectType('TeamMailSender', { description: "A team's sender identity on outgoing replies." })
export class TeamMailSenderObject {
  @Field(() => String, { nullable: true }) fromName!: string | null;
  @Field(() => String, { nullable: true }) fromAddress!: string | null;
  @Field(() => String, { nullable: true, description: 'Appended to every reply (plain text).' })
  signature!: string | null;
}

@InputType('TeamMailSenderInput')
export class TeamMailSenderInput {
  @Field(() => String, { nullable: true }) fromName?: string | null;
  @Field(() => String, { nullable: true }) fromAddress?: string | null;
  @Field(() => String, { nullable: true }) signature?: string | null;
}

@ObjectType('MailNotificationSettings', { description: 'Which e-mails the signed-in user gets.' })
export class MailNotificationSettingsObject {
  @Field({ description: 'A ticket was assigned to me.' }) assigned!: boolean;
  @Field({ description: 'The customer replied on a ticket assigned to me.' })
  customerReply!: boolean;
  @Field({ description: 'A ticket assigned to me will breach its SLA within the hour.' })
  slaWarning!: boolean;
}

@InputType('MailNotificationSettingsInput')
export class MailNotificationSettingsInput {
  @Field(() => Boolean, { nullable: true }) assigned?: boolean | null;
  @Field(() => Boolean, { nullable: true }) customerReply?: boolean | null;
  @Field(() => Boolean, { nullable: true }) slaWarning?: boolean | null;
}

@ObjectType('Mailbox', {
  description: 'An IMAP mailbox the worker imports mail from (the password is never returned).',
})
export class MailboxObject {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field() host!: string;
  @Field(() => Int) port!: number;
  @Field() tls!: boolean;
  @Field() username!: string;
  @Field() folder!: string;
  @Field(() => String, {
    nullable: true,
    description: 'Imported messages move here (else they are flagged \\Seen).',
  })
  moveTo!: string | null;
  @Field() active!: boolean;
  @Field(() => Float, { description: 'Highest UID imported in the current UIDVALIDITY.' })
  lastUid!: number;
  @Field(() => GraphQLISODateTime, { nullable: true }) lastPolledAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'Why the last poll failed.' })
  lastError!: string | null;
}

@InputType('MailboxInput')
export class MailboxInputType {
  @Field() name!: string;
  @Field() host!: string;
  @Field(() => Int) port!: number;
  @Field({
    description: 'Implicit TLS (port 993); false for a plain connection (tests, local relays).',
  })
  tls!: boolean;
  @Field() username!: string;
  @Field({ description: 'Stored encrypted with MAILBOX_SECRET_KEY.' }) password!: string;
  @Field(() => String, { nullable: true }) folder?: string | null;
  @Field(() => String, { nullable: true }) moveTo?: string | null;
}
