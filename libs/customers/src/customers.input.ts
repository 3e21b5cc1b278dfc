import { ArgsType, Field, Float, GraphQLISODateTime, ID, InputType, Int } from '@nestjs/graphql';
import { GraphQLJSONObject } from '@staydesk/core';
import { CustomerOrderEnum, CustomerStatusEnum, TierEnum } from './customers.object';
import type { CustomerOrder, CustomerStatus, Tier } from './customers.rows';

@InputType()
export class ContactInput {
  @Field(() => String, { nullable: true, description: 'Required when creating.' }) name?:
    string | null;
  @Field(() => String, {
    nullable: true,
    description: 'Required when creating; unique per customer.',
  })
  email?: string | null;
  @Field(() => String, { nullable: true }) phone?: string | null;
  @Field(() => Boolean, { nullable: true }) surveyOptOut?: boolean | null;
}

@InputType({
  description:
    'Customer fields. On update, omitted fields stay; null clears domain, account manager, renewal date.',
})
export class CustomerInput {
  @Field(() => String, { nullable: true, description: 'Required when creating.' }) name?:
    string | null;
  @Field(() => String, { nullable: true }) domain?: string | null;
  @Field(() => TierEnum, { nullable: true }) tier?: Tier | null;
  @Field(() => Float, { nullable: true }) mrr?: number | null;
  @Field(() => ID, { nullable: true }) accountManagerId?: string | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) customerSince?: Date | null;
  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD' }) renewalDate?: string | null;
  @Field(() => GraphQLJSONObject, { nullable: true }) customFields?: Record<string, unknown> | null;
}

@InputType()
export class CreateCustomerInput extends CustomerInput {
  @Field(() => [ContactInput], {
    nullable: true,
    description: 'Contacts created with the customer, in the same transaction.',
  })
  contacts?: ContactInput[] | null;
}

@InputType()
export class CustomerFilter {
  @Field(() => String, {
    nullable: true,
    description: 'Part of the name or domain, or the start of a contact e-mail.',
  })
  search?: string | null;
  @Field(() => ID, { nullable: true }) accountManagerId?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Only customers I manage.' }) mine?:
    boolean | null;
  @Field(() => TierEnum, { nullable: true }) tier?: Tier | null;
  @Field(() => CustomerStatusEnum, { nullable: true }) status?: CustomerStatus | null;
  @Field(() => [String], {
    nullable: true,
    description:
      'Only these value segments (top, high, mid, low: quartiles of lifetime value to date, computed nightly).',
  })
  valueSegments?: string[] | null;
  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description:
      'Custom field values, all must match: {"region": "emea", "vip": true} (keys of customer fields; text, number, date or true/false).',
  })
  customFields?: Record<string, unknown> | null;
}

@ArgsType()
export class CustomersArgs {
  @Field(() => CustomerFilter, { nullable: true }) filter?: CustomerFilter | null;
  @Field(() => CustomerOrderEnum, { nullable: true, defaultValue: 'name' }) orderBy?: CustomerOrder;
  @Field(() => Int, { nullable: true, description: 'Page size, 1 to 100 (default 25).' }) first?:
    number | null;
  @Field(() => String, { nullable: true }) after?: string | null;
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'Page size, 1 to 100 (default 25).' }) first?:
    number | null;
  @Field(() => String, { nullable: true }) after?: string | null;
}
