import {
  Field,
  Float,
  GraphQLISODateTime,
  ID,
  Int,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import {
  ChannelEnum,
  ConnectionType,
  GraphQLJSONObject,
  PriorityEnum,
  TierEnum,
  enumOf,
} from '@staydesk/core';
import { MESSAGE_KINDS, TICKET_STATUSES } from './ticket-rules';

export { ChannelEnum, PriorityEnum };

export const TicketStatusEnum = enumOf(TICKET_STATUSES);
registerEnumType(TicketStatusEnum, {
  name: 'TicketStatus',
  description:
    'new → open → pending/on_hold → solved → closed; solved → open is a reopen; closed is final.',
});
export const MessageKindEnum = enumOf(MESSAGE_KINDS);
registerEnumType(MessageKindEnum, {
  name: 'MessageKind',
  description:
    'public_reply: agent to customer. internal_note: agents only. customer_message: from the customer (inbound mail, chat).',
});
export const TicketOrderEnum = {
  updated_desc: 'updated_desc',
  created_desc: 'created_desc',
  priority: 'priority',
  due: 'due',
};
registerEnumType(TicketOrderEnum, {
  name: 'TicketOrder',
  description:
    'updated_desc: recently changed first. created_desc: newest first. priority: urgent first. due: nearest SLA deadline first (tickets without a pending target last).',
});

@ObjectType('TicketExternalId', {
  description: 'The id a ticket had in a system it was imported from.',
})
export class TicketExternalIdObject {
  @Field({ description: 'The import source (e.g. "servicenow"), as given to the import.' })
  source!: string;
  @Field({ description: 'The ticket id in that system (e.g. "INC0027139").' }) id!: string;
}

@ObjectType('Ticket', {
  description: 'A support request from a customer contact, with its conversation and history.',
})
export class TicketObject {
  @Field(() => ID) id!: string;
  @Field(() => Int, {
    description:
      'Human ticket number: sequential, unique, never reused; shown in mail subjects as [#number] and found by a queue search for "1042" or "#1042".',
  })
  number!: number;
  @Field(() => ID) customerId!: string;
  @Field(() => ID, { description: 'The contact who asked.' }) requesterId!: string;
  @Field() subject!: string;
  @Field(() => ChannelEnum) channel!: string;
  @Field(() => PriorityEnum) priority!: string;
  @Field(() => TicketStatusEnum) status!: string;
  @Field(() => ID, { nullable: true }) assigneeId!: string | null;
  @Field(() => ID, { nullable: true }) teamId!: string | null;
  @Field(() => [String]) tags!: string[];
  @Field(() => GraphQLJSONObject, {
    description:
      'Extra fields by name, e.g. the columns of an imported history that have no field of their own.',
  })
  customFields!: Record<string, unknown>;
  @Field(() => [TicketExternalIdObject], {
    description:
      'Ids of this ticket in systems it was imported from (empty for tickets made here). Queue search finds a ticket by them.',
  })
  externalIds!: { source: string; id: string }[];
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime) updatedAt!: Date;
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description:
      'First public reply by an agent (for tickets an agent opened with a public message: that message).',
  })
  firstResponseAt!: Date | null;
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'The last time the ticket was solved.',
  })
  solvedAt!: Date | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) closedAt!: Date | null;
  @Field(() => Int, { description: 'Times the ticket went from solved back to open.' })
  reopenCount!: number;
  @Field(() => Int, { description: 'Times the ticket was solved (solve cycles).' })
  solveCount!: number;
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'First-response target of the SLA policy.',
  })
  firstResponseDueAt!: Date | null;
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description:
      'Resolution target of the SLA policy, moved later by the time the clock was paused (pending, on hold).',
  })
  resolutionDueAt!: Date | null;
  @Field({ description: 'The first response came (or is still missing) after its target.' })
  firstResponseBreached!: boolean;
  @Field({
    description: 'The ticket was solved (or is still unsolved) after its resolution target.',
  })
  resolutionBreached!: boolean;
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description:
      'When the unanswered customer message that started the running next-reply clock came; null when none runs.',
  })
  nextReplyStartedAt!: Date | null;
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description:
      'Next-reply target: the running clock (started by a customer message after the first response, stopped by a public reply) is due then; moved later by pauses (pending, on hold). Null when none runs.',
  })
  nextReplyDueAt!: Date | null;
  @Field({
    description: 'The current (or, once answered, the last) next-reply clock ran past its target.',
  })
  nextReplyBreached!: boolean;
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description: 'The SLA deadline the ticket works against now.',
  })
  nextDueAt!: Date | null;
  @Field(() => GraphQLISODateTime, {
    nullable: true,
    description:
      'When the resolution clock paused (pending or on hold); null while it runs. On resume the resolution target moves later by the pause.',
  })
  slaPausedAt!: Date | null;
  @Field(() => Int, { description: 'Seconds the resolution clock was paused (finished pauses).' })
  slaPausedSeconds!: number;
  @Field(() => GraphQLISODateTime, { nullable: true }) lastMessageAt!: Date | null;
  @Field(() => Int, {
    description:
      'Increases with every change; pass it as expectedVersion to detect concurrent edits.',
  })
  version!: number;
}

@ObjectType('TicketMessage', { description: 'One message of a ticket conversation.' })
export class TicketMessageObject {
  @Field(() => ID) id!: string;
  @Field(() => ID) ticketId!: string;
  @Field(() => MessageKindEnum) kind!: string;
  @Field(() => ID, {
    nullable: true,
    description: 'Agent who wrote it (public replies and notes).',
  })
  authorUserId!: string | null;
  @Field(() => ID, { nullable: true, description: 'Contact who wrote it (customer messages).' })
  authorContactId!: string | null;
  @Field() body!: string;
  @Field(() => Float, {
    nullable: true,
    description: 'Lexicon sentiment of customer messages, -1 (negative) to 1.',
  })
  sentiment!: number | null;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}

@ObjectType('TicketEvent', {
  description:
    'One entry of the append-only history: created, status_changed, assignee_changed, team_changed, priority_changed, subject_changed, tags_changed, first_response, sla_breached (toValue: first_response, resolution or next_reply), next_reply_met / next_reply_breached (a public reply stopped the next-reply clock; fromValue: when it started, toValue: its due time), macro_applied (fromValue: the macro id, toValue: its name), auto_assigned (fromValue: the rule, toValue: the agent).',
})
export class TicketEventObject {
  @Field(() => ID) id!: string;
  @Field() type!: string;
  @Field(() => ID, { nullable: true, description: 'Who did it; null for automatic events.' })
  actorId!: string | null;
  @Field(() => String, { nullable: true }) fromValue!: string | null;
  @Field(() => String, { nullable: true }) toValue!: string | null;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
}

@ObjectType('SlaPolicy', {
  description: 'Response and resolution targets for a priority (optionally a channel and tier).',
})
export class SlaPolicyObject {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => PriorityEnum) priority!: string;
  @Field(() => ChannelEnum, {
    nullable: true,
    description: 'Only tickets of this channel; null = any.',
  })
  channel!: string | null;
  @Field(() => TierEnum, {
    nullable: true,
    description: 'Only customers of this tier; null = any.',
  })
  tier!: string | null;
  @Field(() => Int) firstResponseMinutes!: number;
  @Field(() => Int) resolutionMinutes!: number;
  @Field(() => Int, {
    nullable: true,
    description: 'Next-reply target in minutes (each new customer message); null = none.',
  })
  nextReplyMinutes!: number | null;
  @Field({ description: "Count business hours of the ticket's team (when it has a calendar)." })
  businessHours!: boolean;
}

@ObjectType('MessageResult', {
  description: 'The ticket after a message was added, and the message.',
})
export class MessageResultObject {
  @Field(() => TicketObject) ticket!: TicketObject;
  @Field(() => TicketMessageObject) message!: TicketMessageObject;
}

export const TicketConnection = ConnectionType(
  TicketObject,
  'Ticket',
  'Matching tickets, exact up to 10,000; 10001 means "more than 10,000" (counting stops there so a broad filter stays fast). Counted only when selected. Null on lists that do not count.',
);
export const TicketMessageConnection = ConnectionType(TicketMessageObject, 'TicketMessage');
