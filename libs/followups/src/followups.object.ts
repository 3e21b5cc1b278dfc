import { Field, GraphQLISODateTime, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ConnectionType } from '@staydesk/core';
import { FOLLOW_UP_KINDS, FOLLOW_UP_STATUSES } from './followups.repository';

export const FollowUpKindEnum = Object.fromEntries(FOLLOW_UP_KINDS.map((k) => [k, k]));
registerEnumType(FollowUpKindEnum, {
  name: 'FollowUpKind',
  description:
    'check_in: a routine call or mail. bad_csat_recovery: win back a customer after a bad survey answer. at_risk_outreach: reach out to an account at risk of churning. custom: anything else (say what in the note).',
});
export const FollowUpStatusEnum = Object.fromEntries(FOLLOW_UP_STATUSES.map((s) => [s, s]));
registerEnumType(FollowUpStatusEnum, {
  name: 'FollowUpStatus',
  description: 'open: to do. done: completed with an outcome. cancelled: no longer needed.',
});

@ObjectType('FollowUp', {
  description:
    'A promise to get back to a customer by a due time, owned by one user, optionally about a ticket. The owner gets an e-mail reminder once it falls due.',
})
export class FollowUpObject {
  @Field(() => ID) id!: string;
  @Field(() => FollowUpKindEnum) kind!: string;
  @Field(() => FollowUpStatusEnum) status!: string;
  @Field(() => GraphQLISODateTime, { description: 'When it should be done.' }) dueAt!: Date;
  @Field(() => String, { nullable: true, description: 'What to do, written when it was opened.' })
  note!: string | null;
  @Field(() => String, {
    nullable: true,
    description:
      'What came of it (done), or why it was cancelled (cancelled, when a reason was given).',
  })
  outcome!: string | null;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'When it was completed or cancelled.',
  })
  completedAt!: Date | null;
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'When the owner was e-mailed a reminder; cleared by a reschedule.',
  })
  remindedAt!: Date | null;
  @Field(() => ID) customerId!: string;
  @Field(() => ID, { nullable: true, description: 'The ticket it is about, if any.' }) ticketId!:
    string | null;
  @Field(() => ID) ownerId!: string;
  @Field(() => ID, { nullable: true, description: 'Who opened it; null when the system did.' })
  createdById!: string | null;
  @Field({ description: 'Open and past its due time.' }) overdue!: boolean;
}

export const FollowUpConnection = ConnectionType(FollowUpObject, 'FollowUp');
