import { Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Loaders, RequestLoaders } from '@staydesk/core';
import { CustomerObject } from '@staydesk/customers';
import { Roles } from '@staydesk/identity';
import { ValueLoaders } from './value.loaders';
import { LifetimeValueObject, MrrChangeObject, ValueSegmentObject } from './value.object';
import { ValueService } from './value.service';

@Resolver(() => CustomerObject)
export class CustomerValueResolver {
  constructor(private readonly service: ValueService) {}

  @ResolveField(() => LifetimeValueObject, {
    nullable: true,
    description:
      'Lifetime value: to date, expected, value segment and the basis of the expected value (docs/kpis.md).',
  })
  lifetimeValue(@Parent() c: CustomerObject, @Loaders() loaders: RequestLoaders) {
    return loaders.get(ValueLoaders).lifetimeValue.load(c.id);
  }

  @ResolveField(() => [MrrChangeObject], {
    description: 'MRR history, oldest first (written by createCustomer, updateCustomer, imports).',
  })
  mrrHistory(@Parent() c: CustomerObject, @Loaders() loaders: RequestLoaders) {
    return loaders.get(ValueLoaders).mrrHistory.load(c.id);
  }

  @Roles('account_manager', 'admin', 'team_lead')
  @Query(() => [ValueSegmentObject], {
    description:
      'The value segments as of the last nightly computation: bounds and observed monthly churn rates.',
  })
  valueSegments() {
    return this.service.segments();
  }
}
