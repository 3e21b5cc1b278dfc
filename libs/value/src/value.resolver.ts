import { Args, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Loaders, RequestLoaders } from '@staydesk/core';
import { CustomerObject } from '@staydesk/customers';
import { Actor, CurrentUser, Roles } from '@staydesk/identity';
import { ValueLoaders } from './value.loaders';
import {
  LifetimeValueObject,
  MrrChangeObject,
  ValueSegmentBandInput,
  ValueSegmentObject,
  ValueSegmentSchemeEnum,
  ValueSegmentSchemeObject,
} from './value.object';
import type { Scheme } from './value-rules';
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

  @Roles('account_manager', 'admin', 'team_lead')
  @Query(() => ValueSegmentSchemeObject, {
    description:
      'The value segment scheme the next computation uses: quartiles (default) or admin-set bands.',
  })
  valueSegmentScheme() {
    return this.service.scheme();
  }

  @Roles('admin')
  @Mutation(() => ValueSegmentSchemeObject, {
    description:
      "Sets the value segments (admins): scheme bands with 2–4 bands, lowest first, names low < mid < high < top and ascending non-negative lower bounds in money; or scheme quartiles (no bands) to go back to quartiles. Audited; queues a recomputation (value.recompute), so valueSegments and the customers' segments follow once the worker has run it.",
  })
  setValueSegmentScheme(
    @CurrentUser() actor: Actor,
    @Args('scheme', { type: () => ValueSegmentSchemeEnum }) scheme: Scheme,
    @Args('bands', { type: () => [ValueSegmentBandInput], nullable: true })
    bands: ValueSegmentBandInput[] | null,
  ) {
    return this.service.setScheme(actor, scheme, bands);
  }
}
