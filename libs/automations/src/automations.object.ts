import { Field, GraphQLISODateTime, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { GraphQLJSONObject } from '@staydesk/core';
import {
  PriorityEnum,
  TicketMessageObject,
  TicketObject,
  TicketOrderEnum,
  TicketStatusEnum,
} from '@staydesk/tickets';
import { ASSIGNMENT_MODES, AVAILABILITIES, MACRO_SCOPES, MacroRow } from './automations.repository';

const enumOf = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const MacroScopeEnum = enumOf(MACRO_SCOPES);
registerEnumType(MacroScopeEnum, {
  name: 'MacroScope',
  description:
    'personal: its owner only. team: the members and lead of one team. global: every agent. Admins and team leads manage shared (team, global) macros.',
});
export const AvailabilityEnum = enumOf(AVAILABILITIES);
registerEnumType(AvailabilityEnum, {
  name: 'Availability',
  description: 'available: automatic assignment may give you new tickets. away: it skips you.',
});
export const AssignmentModeEnum = enumOf(ASSIGNMENT_MODES);
registerEnumType(AssignmentModeEnum, {
  name: 'AssignmentMode',
  description:
    "none: new tickets of the team stay unassigned. round_robin: the available member assigned longest ago. least_open: the available member with the fewest open tickets. Both skip away agents and agents at the team's cap.",
});

@ObjectType('MacroActions', { description: 'What a macro changes besides replying.' })
export class MacroActionsObject {
  @Field(() => TicketStatusEnum, { nullable: true }) status?: string | null;
  @Field(() => PriorityEnum, { nullable: true }) priority?: string | null;
  @Field(() => ID, { nullable: true }) teamId?: string | null;
  @Field(() => ID, { nullable: true }) assigneeId?: string | null;
  @Field({ description: 'The macro clears the assignee.' }) unassign!: boolean;
  @Field(() => [String]) addTags!: string[];
  @Field(() => [String]) removeTags!: string[];
  @Field(() => String, { nullable: true, description: 'Internal note (placeholders allowed).' })
  note?: string | null;
}

@ObjectType('Macro', {
  description:
    'A saved reply with placeholders (e.g. {{requester.first_name}}, {{ticket.number}}) and actions.',
})
export class MacroObject {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true, description: 'The public reply; null: no reply.' })
  body!: string | null;
  @Field(() => MacroScopeEnum) scope!: string;
  @Field(() => ID, { nullable: true }) teamId!: string | null;
  @Field(() => ID, { nullable: true }) ownerId!: string | null;
  @Field(() => MacroActionsObject) actions!: MacroActionsObject;
  @Field(() => Int, { description: 'How many times it was applied ("most used" order).' })
  usageCount!: number;
  @Field(() => GraphQLISODateTime, { nullable: true }) lastUsedAt!: Date | null;
  @Field(() => GraphQLISODateTime) createdAt!: Date;
  @Field(() => GraphQLISODateTime) updatedAt!: Date;
}

@ObjectType('MacroChange', { description: 'One change applying a macro makes to a ticket.' })
export class MacroChangeObject {
  @Field({ description: 'status, priority, team, assignee or tags.' }) field!: string;
  @Field(() => String, { nullable: true }) from!: string | null;
  @Field(() => String, { nullable: true }) to!: string | null;
}

@ObjectType('MacroPreview', { description: 'What applying a macro would do; nothing written.' })
export class MacroPreviewObject {
  @Field(() => String, { nullable: true, description: 'The rendered public reply.' })
  reply!: string | null;
  @Field(() => String, { nullable: true, description: 'The rendered internal note.' })
  note!: string | null;
  @Field(() => [MacroChangeObject]) changes!: MacroChangeObject[];
}

@ObjectType('MacroApplication', { description: 'The result of applying a macro.' })
export class MacroApplicationObject extends MacroPreviewObject {
  @Field(() => TicketObject) ticket!: TicketObject;
  @Field(() => TicketMessageObject, { nullable: true, description: 'The reply posted, if any.' })
  message!: TicketMessageObject | null;
}

@ObjectType('AgentAvailability', {
  description: 'Whether an agent takes new tickets from automatic assignment.',
})
export class AgentAvailabilityObject {
  @Field(() => ID) userId!: string;
  @Field(() => AvailabilityEnum) availability!: string;
}

@ObjectType('TeamAssignment', { description: "A team's automatic assignment of new tickets." })
export class TeamAssignmentObject {
  @Field(() => ID) teamId!: string;
  @Field(() => AssignmentModeEnum) mode!: string;
  @Field(() => Int, { description: 'Most open tickets automatic assignment gives one agent.' })
  cap!: number;
}

/** A macro row as the API shows it (the row's JSON actions become a typed object). */
export function toMacroObject(m: MacroRow): MacroObject {
  const a = m.actions;
  return {
    ...m,
    actions: {
      status: a.status ?? null,
      priority: a.priority ?? null,
      teamId: a.teamId ?? null,
      assigneeId: a.assigneeId ?? null,
      unassign: a.assigneeId === null,
      addTags: a.addTags ?? [],
      removeTags: a.removeTags ?? [],
      note: a.note ?? null,
    },
  } as MacroObject;
}

@ObjectType('SavedView', {
  description:
    'A named queue filter and order, personal or shared with a team, in sidebar order, with its live count.',
})
export class SavedViewObject {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => GraphQLJSONObject, {
    description: 'The TicketFilter of the tickets query, as saved ("mine" means the viewer).',
  })
  filter!: Record<string, unknown>;
  @Field(() => TicketOrderEnum) orderBy!: string;
  @Field(() => ID, { nullable: true, description: 'Set for personal views.' }) ownerId!:
    string | null;
  @Field(() => ID, { nullable: true, description: 'Set for views shared with a team.' })
  teamId!: string | null;
  @Field(() => Int) position!: number;
  @Field(() => Int, {
    description:
      'Tickets matching the view now (as the viewer sees them), exact up to 10,000; 10,001 means more.',
  })
  count!: number;
}
