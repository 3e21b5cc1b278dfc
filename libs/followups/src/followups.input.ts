import { ArgsType, Field, GraphQLISODateTime, ID, InputType, Int } from '@nestjs/graphql';
import { FollowUpKindEnum, FollowUpStatusEnum } from './followups.object';
import type { FollowUpKind, FollowUpStatus } from './followups.repository';

@InputType({
  description:
    "A new follow-up. Give exactly one of ticketId (the customer is the ticket's) or customerId.",
})
export class CreateFollowUpInput {
  @Field(() => ID, { nullable: true }) ticketId?: string | null;
  @Field(() => ID, { nullable: true }) customerId?: string | null;
  @Field(() => ID, { nullable: true, description: 'An active user; defaults to you.' })
  ownerId?: string | null;
  @Field(() => FollowUpKindEnum) kind!: FollowUpKind;
  @Field(() => GraphQLISODateTime, { description: 'At most 2 years ahead; may be in the past.' })
  dueAt!: Date;
  @Field(() => String, { nullable: true, description: 'Up to 5000 characters.' }) note?:
    string | null;
}

@InputType({ description: 'All given conditions must hold.' })
export class FollowUpFilter {
  @Field(() => Boolean, { nullable: true, description: 'Only follow-ups I own.' }) mine?:
    boolean | null;
  @Field(() => ID, { nullable: true }) ownerId?: string | null;
  @Field(() => FollowUpStatusEnum, { nullable: true }) status?: FollowUpStatus | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'true: only open ones past their due time; false: all others.',
  })
  overdue?: boolean | null;
  @Field(() => ID, { nullable: true }) customerId?: string | null;
  @Field(() => ID, { nullable: true }) ticketId?: string | null;
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'Due strictly before this time.',
  })
  dueBefore?: Date | null;
}

@ArgsType()
export class FollowUpsArgs {
  @Field(() => FollowUpFilter, { nullable: true }) filter?: FollowUpFilter | null;
  @Field(() => Int, { nullable: true, description: 'Page size, 1 to 100 (default 25).' }) first?:
    number | null;
  @Field(() => String, { nullable: true }) after?: string | null;
}
