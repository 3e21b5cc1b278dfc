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
import { Loaders, pagedComplexity, RequestLoaders } from '@staydesk/core';
import { CustomerObject, CustomersLoaders } from '@staydesk/customers';
import { TicketObject, loadReadableTicket } from '@staydesk/tickets';
import {
  Actor,
  CurrentUser,
  EVERYONE,
  IdentityLoaders,
  Roles,
  UserObject,
} from '@staydesk/identity';
import { CreateFollowUpInput, FollowUpsArgs } from './followups.input';
import { FollowUpConnection, FollowUpObject } from './followups.object';
import { FollowUpsService } from './followups.service';

const WHO_MAY_CHANGE = 'Allowed for the owner, the creator, team leads and admins.';

@Resolver(() => FollowUpObject)
export class FollowUpsResolver {
  constructor(private readonly service: FollowUpsService) {}

  @Roles(...EVERYONE)
  @Query(() => FollowUpObject, { description: 'One follow-up by id.' })
  followUp(@CurrentUser() actor: Actor, @Args('id', { type: () => ID }) id: string) {
    return this.service.followUp(id, actor);
  }

  @Roles(...EVERYONE)
  @Query(() => FollowUpConnection, {
    description: 'Follow-ups, soonest due first (ties by id), with cursor pagination.',
    complexity: pagedComplexity,
  })
  followUps(@CurrentUser() actor: Actor, @Args() args: FollowUpsArgs) {
    return this.service.list(actor, args.filter ?? {}, args.first, args.after);
  }

  @Roles(...EVERYONE)
  @Mutation(() => FollowUpObject, {
    description:
      'Open a follow-up on a ticket or a customer; you own it unless ownerId says otherwise.',
  })
  createFollowUp(@CurrentUser() actor: Actor, @Args('input') input: CreateFollowUpInput) {
    return this.service.create(actor, input);
  }

  @Roles(...EVERYONE)
  @Mutation(() => FollowUpObject, {
    description: `Mark an open follow-up done, saying what came of it (1 to 5000 characters). ${WHO_MAY_CHANGE}`,
  })
  completeFollowUp(
    @CurrentUser() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('outcome', { type: () => String }) outcome: string,
  ) {
    return this.service.complete(actor, id, outcome);
  }

  @Roles(...EVERYONE)
  @Mutation(() => FollowUpObject, {
    description: `Cancel an open follow-up that is no longer needed; the reason is kept as its outcome. ${WHO_MAY_CHANGE}`,
  })
  cancelFollowUp(
    @CurrentUser() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('reason', { type: () => String, nullable: true }) reason: string | null,
  ) {
    return this.service.cancel(actor, id, reason);
  }

  @Roles(...EVERYONE)
  @Mutation(() => FollowUpObject, {
    description: `Move the due time of an open follow-up; the owner is reminded again when it falls due. ${WHO_MAY_CHANGE}`,
  })
  rescheduleFollowUp(
    @CurrentUser() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('dueAt', { type: () => GraphQLISODateTime }) dueAt: Date,
  ) {
    return this.service.reschedule(actor, id, dueAt);
  }

  @ResolveField(() => UserObject, { description: 'Who has to do it.' })
  owner(@Parent() f: FollowUpObject, @Loaders() loaders: RequestLoaders) {
    return loaders.get(IdentityLoaders).user.load(f.ownerId);
  }

  @ResolveField(() => CustomerObject)
  customer(@Parent() f: FollowUpObject, @Loaders() loaders: RequestLoaders) {
    return loaders.get(CustomersLoaders).customer.load(f.customerId);
  }

  @ResolveField(() => UserObject, {
    nullable: true,
    description: 'Who opened it; null when the system did.',
  })
  createdBy(@Parent() f: FollowUpObject, @Loaders() loaders: RequestLoaders) {
    return f.createdById ? loaders.get(IdentityLoaders).user.load(f.createdById) : null;
  }

  @ResolveField(() => TicketObject, {
    nullable: true,
    description:
      "The ticket it is about, if any (null for a private team's ticket the caller may not read).",
  })
  ticket(
    @Parent() f: FollowUpObject,
    @CurrentUser() actor: Actor,
    @Loaders() loaders: RequestLoaders,
  ) {
    return f.ticketId ? loadReadableTicket(loaders, actor, f.ticketId) : null;
  }
}
