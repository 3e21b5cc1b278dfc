import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Actor, CurrentUser, EVERYONE, Roles } from '@staydesk/identity';
import { SlaPolicyInput, SlaPolicyUpdateInput } from './tickets.input';
import { SlaPolicyObject } from './tickets.object';
import { TicketsService } from './tickets.service';

@Resolver(() => SlaPolicyObject)
export class SlaPolicyResolver {
  constructor(private readonly service: TicketsService) {}

  @Roles(...EVERYONE)
  @Query(() => [SlaPolicyObject], { description: 'Active SLA policies.' })
  slaPolicies() {
    return this.service.listPolicies();
  }

  @Roles('admin')
  @Mutation(() => SlaPolicyObject, {
    description: 'Admins: add an SLA policy (one active policy per priority/channel/tier).',
  })
  createSlaPolicy(@CurrentUser() actor: Actor, @Args('input') input: SlaPolicyInput) {
    return this.service.createPolicy(actor, {
      ...input,
      nextReplyMinutes: input.nextReplyMinutes ?? null,
      businessHours: input.businessHours ?? false,
    });
  }

  @Roles('admin')
  @Mutation(() => SlaPolicyObject, {
    description:
      'Admins: change an active SLA policy (name, scope, targets, business hours). New tickets get the new targets; existing tickets keep their due times. CONFLICT when another active policy already covers the new scope.',
  })
  updateSlaPolicy(
    @CurrentUser() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: SlaPolicyUpdateInput,
  ) {
    const { channel, tier, nextReplyMinutes, ...rest } = input;
    return this.service.updatePolicy(
      actor,
      id,
      {
        ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v != null)),
        channel: channel ?? null,
        tier: tier ?? null,
        nextReplyMinutes: nextReplyMinutes ?? null,
      },
      new Set(Object.keys(input)),
    );
  }

  @Roles('admin')
  @Mutation(() => Boolean, {
    description: 'Admins: retire an SLA policy (existing tickets keep their due times).',
  })
  deactivateSlaPolicy(@CurrentUser() actor: Actor, @Args('id', { type: () => ID }) id: string) {
    return this.service.deactivatePolicy(actor, id);
  }
}
