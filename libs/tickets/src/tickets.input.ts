import { ArgsType, Field, GraphQLISODateTime, ID, InputType, Int } from '@nestjs/graphql';
import { GraphQLJSONObject } from '@staydesk/core';
import { TierEnum } from '@staydesk/customers';
import {
  ChannelEnum,
  MessageKindEnum,
  PriorityEnum,
  TicketOrderEnum,
  TicketStatusEnum,
} from './tickets.object';
import type { Channel, MessageKind, Priority, TicketStatus } from './ticket-rules';
import type { TicketOrder } from './tickets.repository';

@InputType()
export class FirstMessageInput {
  @Field({ description: 'Up to 64 KB.' }) body!: string;
  @Field(() => MessageKindEnum, {
    description: 'customer_message (inbound) or public_reply (an agent writes first).',
  })
  kind!: MessageKind;
}

@InputType({ description: 'A new ticket on behalf of a contact.' })
export class CreateTicketInput {
  @Field(() => ID) requesterId!: string;
  @Field(() => ID, {
    nullable: true,
    description: "Optional check: must be the requester's customer.",
  })
  customerId?: string | null;
  @Field({ description: '1 to 500 characters.' }) subject!: string;
  @Field(() => ChannelEnum) channel!: Channel;
  @Field(() => PriorityEnum, { nullable: true, defaultValue: 'normal' }) priority?: Priority | null;
  @Field(() => ID, { nullable: true }) assigneeId?: string | null;
  @Field(() => ID, { nullable: true }) teamId?: string | null;
  @Field(() => [String], { nullable: true }) tags?: string[] | null;
  @Field(() => FirstMessageInput, { nullable: true }) message?: FirstMessageInput | null;
}

@InputType({ description: 'Omitted fields stay; assigneeId/teamId null unassigns.' })
export class UpdateTicketInput {
  @Field(() => String, { nullable: true }) subject?: string | null;
  @Field(() => PriorityEnum, { nullable: true }) priority?: Priority | null;
  @Field(() => [String], { nullable: true, description: 'Replaces all tags.' }) tags?:
    string[] | null;
  @Field(() => ID, { nullable: true }) assigneeId?: string | null;
  @Field(() => ID, { nullable: true }) teamId?: string | null;
  @Field(() => Int, {
    nullable: true,
    description: 'Fail with CONFLICT if the ticket changed since this version.',
  })
  expectedVersion?: number | null;
}

export const SlaStateEnum = {
  breached: 'breached',
  within_target: 'within_target',
  due_soon: 'due_soon',
};
import { registerEnumType } from '@nestjs/graphql';
registerEnumType(SlaStateEnum, {
  name: 'SlaState',
  description:
    'breached: a target was missed. within_target: no target missed. due_soon: a deadline falls within dueWithinMinutes (default 60).',
});

@InputType()
export class TicketFilter {
  @Field(() => [TicketStatusEnum], { nullable: true }) status?: TicketStatus[] | null;
  @Field(() => Boolean, { nullable: true, description: 'Assigned to me.' }) mine?: boolean | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'Not assigned (combined with mine: mine or unassigned).',
  })
  unassigned?: boolean | null;
  @Field(() => [ID], { nullable: true }) assigneeIds?: string[] | null;
  @Field(() => [ID], { nullable: true }) teamIds?: string[] | null;
  @Field(() => Boolean, {
    nullable: true,
    description:
      'Without a team (with teamIds: those teams or no team, e.g. mail no rule has routed yet).',
  })
  noTeam?: boolean | null;
  @Field(() => [PriorityEnum], { nullable: true }) priority?: Priority[] | null;
  @Field(() => [ChannelEnum], { nullable: true }) channel?: Channel[] | null;
  @Field(() => [String], { nullable: true, description: 'Any of these tags.' }) tags?:
    string[] | null;
  @Field(() => ID, { nullable: true }) customerId?: string | null;
  @Field(() => ID, { nullable: true }) requesterId?: string | null;
  @Field(() => SlaStateEnum, { nullable: true }) sla?: string | null;
  @Field(() => Int, { nullable: true }) dueWithinMinutes?: number | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) createdFrom?: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) createdTo?: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) updatedFrom?: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) updatedTo?: Date | null;
  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description:
      'Custom field values the tickets must have, e.g. {"plan": "gold", "vip": true} (text, number, date, dropdown or checkbox values, matched exactly).',
  })
  customFields?: Record<string, unknown> | null;
  @Field(() => String, {
    nullable: true,
    description:
      'Full text over subject and messages (web search syntax: "quoted", -not, or); also a ticket number ("1042" or "#1042"), a requester\'s e-mail address, or part of a customer\'s name.',
  })
  search?: string | null;
}

@ArgsType()
export class TicketsArgs {
  @Field(() => TicketFilter, { nullable: true }) filter?: TicketFilter | null;
  @Field(() => TicketOrderEnum, { nullable: true, defaultValue: 'updated_desc' })
  orderBy?: TicketOrder;
  @Field(() => Int, { nullable: true, description: 'Page size, 1 to 100 (default 25).' }) first?:
    number | null;
  @Field(() => String, { nullable: true }) after?: string | null;
}

@InputType()
export class SlaPolicyInput {
  @Field() name!: string;
  @Field(() => PriorityEnum) priority!: Priority;
  @Field(() => ChannelEnum, { nullable: true }) channel?: Channel | null;
  @Field(() => TierEnum, { nullable: true }) tier?: string | null;
  @Field(() => Int) firstResponseMinutes!: number;
  @Field(() => Int) resolutionMinutes!: number;
  @Field(() => Int, {
    nullable: true,
    description:
      'Next-reply target: minutes to answer each new customer message after the first response (null: none).',
  })
  nextReplyMinutes?: number | null;
  @Field(() => Boolean, { nullable: true, defaultValue: false }) businessHours?: boolean;
}

@InputType({
  description:
    'SLA policy changes: omitted fields stay; null clears channel or tier (a wildcard) or nextReplyMinutes (no next-reply target). Existing tickets keep their due times; new tickets use the new targets.',
})
export class SlaPolicyUpdateInput {
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => PriorityEnum, { nullable: true }) priority?: Priority | null;
  @Field(() => ChannelEnum, { nullable: true }) channel?: Channel | null;
  @Field(() => TierEnum, { nullable: true }) tier?: string | null;
  @Field(() => Int, { nullable: true }) firstResponseMinutes?: number | null;
  @Field(() => Int, { nullable: true }) resolutionMinutes?: number | null;
  @Field(() => Int, { nullable: true }) nextReplyMinutes?: number | null;
  @Field(() => Boolean, { nullable: true }) businessHours?: boolean | null;
}
