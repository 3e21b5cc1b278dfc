import { Args, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import {
  Keyset,
  Loaders,
  pagedComplexity,
  pageSize,
  RequestLoaders,
  toConnection,
} from '@staydesk/core';
import {
  ACCOUNT_OWNERS,
  Actor,
  CurrentUser,
  EVERYONE,
  IdentityLoaders,
  Roles,
  UserObject,
} from '@staydesk/identity';
import { customFieldFilter } from './custom-field-values';
import {
  ContactInput,
  CreateCustomerInput,
  CustomerInput,
  CustomersArgs,
  PageArgs,
} from './customers.input';
import { CustomersLoaders } from './customers.loaders';
import {
  ContactObject,
  CustomerConnection,
  CustomerObject,
  CustomerStatusChangeObject,
  CustomerStatusEnum,
  TimelineConnection,
} from './customers.object';
import { CustomerStatus, customerKeyset } from './customers.rows';
import { CustomersService } from './customers.service';

/** Timeline entries newest first: cursor = [at with microseconds, sort id like t000…42]. */
const TIMELINE_KEYSET = new Keyset<[string, string]>('timeline', [
  { kind: 'timestamp' },
  { kind: 'text', pattern: /^[a-z]{1,3}\d{20}$/ },
]);

const givenKeys = (input: object) => new Set(Object.keys(input));

@Resolver(() => CustomerObject)
export class CustomersResolver {
  constructor(private readonly service: CustomersService) {}

  @Roles(...EVERYONE)
  @Query(() => CustomerObject, { description: 'One customer by id.' })
  customer(@Args('id', { type: () => ID }) id: string) {
    return this.service.customer(id);
  }

  @Roles(...EVERYONE)
  @Query(() => CustomerConnection, {
    description: 'Customers, filtered and ordered; search matches name, domain or contact e-mail.',
    complexity: pagedComplexity,
  })
  async customers(@CurrentUser() actor: Actor, @Args() args: CustomersArgs) {
    const order = args.orderBy ?? 'name';
    const limit = pageSize(args.first);
    const keyset = customerKeyset(order);
    const after = keyset.decode(args.after);
    const f = args.filter ?? {};
    const rows = await this.service.list(
      {
        search: f.search ?? undefined,
        accountManagerId: f.mine ? actor.id : (f.accountManagerId ?? undefined),
        tier: f.tier ?? undefined,
        status: f.status ?? undefined,
        valueSegments: f.valueSegments ?? undefined,
        customFields: f.customFields ? customFieldFilter(f.customFields) : undefined,
      },
      order,
      after,
      limit + 1,
    );
    return toConnection(
      rows,
      limit,
      (c) => keyset.encode(this.service.sortValues(c, order)),
      (c) => c,
      !!after,
    );
  }

  @Roles(...ACCOUNT_OWNERS)
  @Mutation(() => CustomerObject, {
    description: 'Account managers and admins: add a customer (with contacts).',
  })
  createCustomer(@CurrentUser() actor: Actor, @Args('input') input: CreateCustomerInput) {
    return this.service.create(actor, input);
  }

  @Roles(...ACCOUNT_OWNERS)
  @Mutation(() => CustomerObject, {
    description: 'Account managers and admins: change a customer.',
  })
  updateCustomer(
    @CurrentUser() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: CustomerInput,
  ) {
    return this.service.update(actor, id, input, givenKeys(input));
  }

  @Roles(...ACCOUNT_OWNERS)
  @Mutation(() => CustomerObject, {
    description:
      'Account managers and admins: mark a customer churned or active again (reactivated). Records a CustomerStatusChange, the ground truth of retention and churn rates.',
  })
  setCustomerStatus(
    @CurrentUser() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('status', { type: () => CustomerStatusEnum }) status: CustomerStatus,
    @Args('reason', { type: () => String, nullable: true }) reason: string | null,
  ) {
    return this.service.setStatus(actor, id, status, reason);
  }

  @ResolveField(() => [ContactObject])
  contacts(@Parent() c: CustomerObject, @Loaders() loaders: RequestLoaders) {
    return loaders.get(CustomersLoaders).contactsOfCustomer.load(c.id);
  }

  @ResolveField(() => UserObject, { nullable: true })
  accountManager(@Parent() c: CustomerObject, @Loaders() loaders: RequestLoaders) {
    return c.accountManagerId ? loaders.get(IdentityLoaders).user.load(c.accountManagerId) : null;
  }

  @ResolveField(() => [CustomerStatusChangeObject], {
    description: 'Churns and reactivations, oldest first.',
  })
  statusChanges(@Parent() c: CustomerObject, @Loaders() loaders: RequestLoaders) {
    return loaders.get(CustomersLoaders).statusChangesOfCustomer.load(c.id);
  }

  @ResolveField(() => TimelineConnection, {
    description:
      'The whole history in one list, newest first: tickets opened, messages, ticket status changes, follow-ups, churn/reactivation, survey answers. Tickets of a private team (with their messages, history, follow-ups and survey answers) appear for its members and admins only.',
    complexity: pagedComplexity,
  })
  async timeline(@Parent() c: CustomerObject, @CurrentUser() actor: Actor, @Args() args: PageArgs) {
    const limit = pageSize(args.first);
    const after = TIMELINE_KEYSET.decode(args.after);
    const rows = await this.service.timeline(
      c.id,
      after ? { at: after[0], sortId: after[1] } : null,
      limit + 1,
      actor,
    );
    return toConnection(
      rows,
      limit,
      (r) => TIMELINE_KEYSET.encode([r.atKey, r.sortId]),
      (r) => r,
      !!after,
    );
  }
}

@Resolver(() => ContactObject)
export class ContactsResolver {
  constructor(private readonly customers: CustomersService) {}

  @Roles(...EVERYONE)
  @Query(() => ContactObject, { description: 'One contact by id.' })
  contact(@Args('id', { type: () => ID }) id: string) {
    return this.customers.contact(id);
  }

  @Roles(...EVERYONE)
  @Mutation(() => ContactObject, {
    description: 'Add a contact to a customer (name and e-mail required).',
  })
  createContact(
    @CurrentUser() actor: Actor,
    @Args('customerId', { type: () => ID }) customerId: string,
    @Args('input') input: ContactInput,
  ) {
    return this.customers.createContact(actor, customerId, input);
  }

  @Roles(...EVERYONE)
  @Mutation(() => ContactObject, { description: 'Change a contact (e.g. survey opt-out).' })
  updateContact(
    @CurrentUser() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: ContactInput,
  ) {
    return this.customers.updateContact(actor, id, input, givenKeys(input));
  }

  @ResolveField(() => CustomerObject)
  customer(@Parent() c: ContactObject, @Loaders() loaders: RequestLoaders) {
    return loaders.get(CustomersLoaders).customer.load(c.customerId);
  }
}
