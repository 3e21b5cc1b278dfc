import {
  Field,
  GraphQLISODateTime,
  ID,
  InputType,
  ObjectType,
  registerEnumType,
} from '@nestjs/graphql';
import { FollowUpObject } from '@staydesk/followups';
import { UserObject } from '@staydesk/identity';
import {
  ChannelEnum,
  PriorityEnum,
  TicketMessageObject,
  TicketObject,
  TicketStatusEnum,
} from '@staydesk/tickets';

export const QueueChangeEnum = { entered: 'entered', changed: 'changed', left: 'left' } as const;
registerEnumType(QueueChangeEnum, {
  name: 'QueueChange',
  description:
    'entered: the ticket is new to the view (created, or changed so that it matches). changed: it was and still is in the view. left: it no longer matches.',
});

@ObjectType('TicketChange', { description: 'One change, as written to the ticket history.' })
export class TicketChangeObject {
  @Field({
    description:
      'created, status_changed, assignee_changed, team_changed, priority_changed, tags_changed, subject_changed, first_response, message.',
  })
  type!: string;
  @Field(() => String, { nullable: true }) from!: string | null;
  @Field(() => String, { nullable: true }) to!: string | null;
}

@ObjectType('QueueEvent', { description: 'A ticket entered, changed in or left a queue view.' })
export class QueueEventObject {
  @Field(() => ID, { description: 'Event id: the same event delivered twice has the same id.' })
  id!: string;
  @Field(() => QueueChangeEnum) change!: string;
  @Field(() => TicketObject, { description: 'The ticket as it is now (after the commit).' })
  ticket!: TicketObject;
  @Field(() => [TicketChangeObject]) changes!: TicketChangeObject[];
}

@ObjectType('TicketActivity', {
  description:
    'Something happened on a ticket: a new message or note, or a change of status, assignee, priority, tags, team or subject.',
})
export class TicketActivityObject {
  @Field(() => ID, { description: 'Event id: the same event delivered twice has the same id.' })
  id!: string;
  @Field(() => TicketObject, {
    description: 'The ticket as it is now; its version tells a composer that it changed.',
  })
  ticket!: TicketObject;
  @Field(() => [TicketChangeObject]) changes!: TicketChangeObject[];
  @Field(() => TicketMessageObject, {
    nullable: true,
    description: 'The new message or note, when the activity is one.',
  })
  message!: TicketMessageObject | null;
}

@ObjectType('TicketViewer', { description: 'Someone who has the ticket open right now.' })
export class TicketViewerObject {
  @Field(() => UserObject) user!: UserObject;
  @Field({ description: 'Writing a reply or a note right now.' }) composing!: boolean;
  @Field(() => GraphQLISODateTime, { description: 'Their last heartbeat.' }) seenAt!: Date;
}

@ObjectType('TicketViewers', {
  description:
    'Who is viewing and who is composing on a ticket; sent at once and then on every change. A viewer without a heartbeat disappears within LIVE_PRESENCE_TTL_MS + LIVE_PRESENCE_SWEEP_MS (25 s by default).',
})
export class TicketViewersObject {
  @Field(() => ID) ticketId!: string;
  @Field(() => [TicketViewerObject]) viewers!: TicketViewerObject[];
}

@ObjectType('FollowUpDue', { description: 'One of your follow-ups fell due.' })
export class FollowUpDueObject {
  @Field(() => ID, { description: 'Event id: the same event delivered twice has the same id.' })
  id!: string;
  @Field(() => FollowUpObject) followUp!: FollowUpObject;
}

@InputType('QueueViewFilter', {
  description:
    'A queue view for queueChanged, with the meaning of the same fields of TicketFilter (lists are "any of").',
})
export class QueueViewFilterInput {
  @Field(() => [TicketStatusEnum], { nullable: true }) status?: string[] | null;
  @Field(() => [PriorityEnum], { nullable: true }) priority?: string[] | null;
  @Field(() => [ChannelEnum], { nullable: true }) channel?: string[] | null;
  @Field(() => [ID], { nullable: true }) teamIds?: string[] | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'Without a team (with teamIds: those teams or no team).',
  })
  noTeam?: boolean | null;
  @Field(() => [ID], { nullable: true }) assigneeIds?: string[] | null;
  @Field(() => Boolean, { nullable: true, description: 'Assigned to me (added to assigneeIds).' })
  mine?: boolean | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'Unassigned (with assigneeIds: those or unassigned).',
  })
  unassigned?: boolean | null;
  @Field(() => [String], { nullable: true, description: 'Has any of these tags.' })
  tags?: string[] | null;
  @Field(() => Boolean, { nullable: true, description: 'An SLA target was (not) missed.' })
  slaBreached?: boolean | null;
}
