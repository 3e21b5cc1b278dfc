import { Args, Context, ID, Mutation, Resolver, Subscription } from '@nestjs/graphql';
import { badInput } from '@staydesk/core';
import { Actor, CurrentUser, EVERYONE, Roles, validateId } from '@staydesk/identity';
import { normalizeTags } from '@staydesk/tickets';
import { LiveConnection, deliver } from './live-connection';
import { LiveHub } from './live.hub';
import {
  FollowUpDueObject,
  QueueEventObject,
  QueueViewFilterInput,
  TicketActivityObject,
  TicketViewersObject,
} from './live.object';
import type { QueueFilter } from './queue-filter';

function toFilter(f: QueueViewFilterInput | null | undefined, actor: Actor): QueueFilter {
  const ids = (list: string[] | null | undefined, field: string) =>
    list?.map((id) => validateId(id, field));
  const assigneeIds = [
    ...(ids(f?.assigneeIds, 'filter.assigneeIds') ?? []),
    ...(f?.mine ? [actor.id] : []),
  ];
  for (const [field, list] of Object.entries({
    status: f?.status,
    priority: f?.priority,
    channel: f?.channel,
    teamIds: f?.teamIds,
    assigneeIds: f?.assigneeIds,
    tags: f?.tags,
  })) {
    if (list && list.length > 100)
      throw badInput(`filter.${field}`, 'must list at most 100 values');
  }
  return {
    statuses: f?.status ?? undefined,
    priorities: f?.priority ?? undefined,
    channels: f?.channel ?? undefined,
    teamIds: ids(f?.teamIds, 'filter.teamIds'),
    noTeam: f?.noTeam ?? undefined,
    assigneeIds: assigneeIds.length ? assigneeIds : undefined,
    unassigned: f?.unassigned ?? undefined,
    tags: f?.tags ? normalizeTags(f.tags, 'filter.tags') : undefined,
    slaBreached: f?.slaBreached ?? undefined,
  };
}

/**
 * Live updates over graphql-ws (the same /graphql path). Every subscription ends with an error
 * whose code says what to do: REFETCH (this client fell behind) or SERVICE_UNAVAILABLE (Redis is
 * down); in both cases refetch and subscribe again.
 */
@Resolver()
export class LiveResolver {
  constructor(private readonly hub: LiveHub) {}

  @Roles(...EVERYONE)
  @Subscription(() => QueueEventObject, {
    description:
      'A ticket entered, changed in or left a queue view (filter as in tickets(filter)). Internal notes of a private team count only for those who may read them.',
    resolve: deliver,
  })
  queueChanged(
    @CurrentUser() actor: Actor,
    @Context('live') conn: LiveConnection,
    @Args('filter', { type: () => QueueViewFilterInput, nullable: true })
    filter?: QueueViewFilterInput | null,
  ) {
    return this.hub.queue(conn, toFilter(filter, actor));
  }

  @Roles(...EVERYONE)
  @Subscription(() => TicketActivityObject, {
    description:
      'New messages and notes, and changes of status, assignee, priority, tags, team or subject of one ticket (after they commit).',
    resolve: deliver,
  })
  ticketActivity(
    @Context('live') conn: LiveConnection,
    @Args('id', { type: () => ID }) id: string,
  ) {
    return this.hub.activity(conn, id);
  }

  @Roles(...EVERYONE)
  @Subscription(() => TicketViewersObject, {
    description:
      'Who has the ticket open and who is composing, now and on every change (see reportPresence).',
    resolve: deliver,
  })
  ticketViewers(@Context('live') conn: LiveConnection, @Args('id', { type: () => ID }) id: string) {
    return this.hub.viewers(conn, id);
  }

  @Roles(...EVERYONE)
  @Subscription(() => FollowUpDueObject, {
    description: 'Your own follow-ups, as each falls due (when its reminder is sent).',
    resolve: deliver,
  })
  followUpDue(@Context('live') conn: LiveConnection) {
    return this.hub.followUpsDue(conn);
  }

  @Roles(...EVERYONE)
  @Mutation(() => Boolean, {
    description:
      'Presence heartbeat from an open ticket: send it every 10 s while the ticket is open (composing: true while writing a reply or note), and leaving: true when it closes. Without heartbeats a viewer disappears after LIVE_PRESENCE_TTL_MS.',
  })
  reportPresence(
    @CurrentUser() actor: Actor,
    @Args('ticketId', { type: () => ID }) ticketId: string,
    @Args('composing', { type: () => Boolean, defaultValue: false }) composing: boolean,
    @Args('leaving', { type: () => Boolean, defaultValue: false }) leaving: boolean,
  ) {
    return this.hub.reportPresence(actor, ticketId, composing, leaving);
  }
}
