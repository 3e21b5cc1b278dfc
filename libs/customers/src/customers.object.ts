import {
  Field,
  Float,
  GraphQLISODateTime,
  ID,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import { ConnectionType, GraphQLJSONObject, TierEnum } from '@staydesk/core';
import { CUSTOMER_STATUSES } from './customers.rows';

export { TierEnum };
export const CustomerStatusEnum = Object.fromEntries(CUSTOMER_STATUSES.map((t) => [t, t]));
registerEnumType(CustomerStatusEnum, { name: 'CustomerStatus' });
export const CustomerOrderEnum = {
  name: 'name',
  mrr_desc: 'mrr_desc',
  renewal: 'renewal',
  lifetime_value_desc: 'lifetime_value_desc',
  expected_value_desc: 'expected_value_desc',
};
registerEnumType(CustomerOrderEnum, {
  name: 'CustomerOrder',
  description:
    'name: A→Z. mrr_desc: highest monthly revenue first. renewal: soonest renewal first. lifetime_value_desc: highest lifetime value to date first; expected_value_desc: highest expected lifetime value first (both as of the nightly value computation, unknown last; see Customer.lifetimeValue).',
});

@ObjectType('Customer', { description: 'A customer account: a company that buys from us.' })
export class CustomerObject {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) domain!: string | null;
  @Field(() => TierEnum) tier!: string;
  @Field(() => Float, { description: 'Monthly recurring revenue.' }) mrr!: number;
  @Field(() => ID, { nullable: true }) accountManagerId!: string | null;
  @Field(() => CustomerStatusEnum) status!: string;
  @Field(() => GraphQLISODateTime) customerSince!: Date;
  @Field(() => GraphQLISODateTime, { nullable: true }) churnedAt!: Date | null;
  @Field(() => String, { nullable: true, description: 'Next renewal date (YYYY-MM-DD).' })
  renewalDate!: string | null;
  @Field(() => GraphQLJSONObject) customFields!: Record<string, unknown>;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime) updatedAt!: Date;
}

@ObjectType('Contact', { description: 'A person at a customer who writes to support.' })
export class ContactObject {
  @Field(() => ID) id!: string;
  @Field(() => ID) customerId!: string;
  @Field() name!: string;
  @Field() email!: string;
  @Field(() => String, { nullable: true }) phone!: string | null;
  @Field({ description: 'The contact asked not to receive surveys.' }) surveyOptOut!: boolean;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}

@ObjectType('CustomerStatusChange', { description: 'A churn or reactivation of a customer.' })
export class CustomerStatusChangeObject {
  @Field(() => ID) id!: string;
  @Field(() => CustomerStatusEnum) fromStatus!: string;
  @Field(() => CustomerStatusEnum) toStatus!: string;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => ID, { nullable: true }) actorId!: string | null;
  @Field(() => GraphQLISODateTime) changedAt!: Date;
}

export const TimelineKindEnum = {
  ticket_created: 'ticket_created',
  message: 'message',
  ticket_status_changed: 'ticket_status_changed',
  follow_up: 'follow_up',
  customer_status_changed: 'customer_status_changed',
  survey_answered: 'survey_answered',
};
registerEnumType(TimelineKindEnum, { name: 'TimelineKind' });

@ObjectType('TimelineEntry', {
  description:
    "One event in a customer's history. ticket_created: title = subject, toValue = channel. message: body = first 500 characters, toValue = message kind. ticket_status_changed: fromValue → toValue. follow_up: title = kind, fromValue = status, toValue = due time. customer_status_changed: fromValue → toValue, body = reason. survey_answered: title = kind (csat, nps), toValue = score (CSAT 1–5, NPS 0–10), fromValue = effort score (CES 1–7) if given, body = comment, actorContactId = who answered, at = when answered.",
})
export class TimelineEntryObject {
  @Field(() => TimelineKindEnum) kind!: string;
  @Field(() => GraphQLISODateTime) at!: Date;
  @Field(() => ID, { description: 'Id of the message, event, ticket, follow-up or status change.' })
  refId!: string;
  @Field(() => ID, { nullable: true }) ticketId!: string | null;
  @Field() title!: string;
  @Field(() => String, { nullable: true }) body!: string | null;
  @Field(() => ID, { nullable: true }) actorUserId!: string | null;
  @Field(() => ID, { nullable: true }) actorContactId!: string | null;
  @Field(() => String, { nullable: true }) fromValue!: string | null;
  @Field(() => String, { nullable: true }) toValue!: string | null;
}

export const CustomerConnection = ConnectionType(CustomerObject, 'Customer');
export const TimelineConnection = ConnectionType(TimelineEntryObject, 'Timeline');
