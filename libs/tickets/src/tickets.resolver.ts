import type { GraphQLResolveInfo } from 'graphql';
import {
  Args,
  ID,
  Info,
  Int,
  Mutation,
  Parent,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { Loaders, pagedComplexity, pageSize, RequestLoaders, toConnection } from '@staydesk/core';
import { ContactObject, CustomerObject, CustomersLoaders } from '@staydesk/customers';
import {
  Actor,
  CurrentUser,
  EVERYONE,
  IdentityLoaders,
  Roles,
  TICKET_WORKERS,
  TeamObject,
  UserObject,
  mayReadNotes,
} from '@staydesk/identity';
import type { TicketStatus } from './ticket-rules';
import { CreateTicketInput, TicketsArgs, UpdateTicketInput } from './tickets.input';
import { TicketsLoaders } from './tickets.loaders';
import {
  MessageResultObject,
  TicketConnection,
  TicketEventObject,
  TicketMessageConnection,
  TicketMessageObject,
  TicketObject,
  TicketStatusEnum,
} from './tickets.object';
import { MESSAGE_KEYSET, TicketOrder, ticketKeyset } from './tickets.repository';
import { TicketsService } from './tickets.service';
import { TICKET_COUNT_CAP, toRepoFilter } from './ticket-filter';
import { pageSortKey, queueSelection, toPageNode } from './tickets.queue-page';

@Resolver(() => TicketObject)
export class TicketsResolver {
  constructor(private readonly service: TicketsService) {}

  @Roles(...EVERYONE)
  @Query(() => TicketObject, {
    description:
      'One ticket by id. A ticket of a private team is NOT_FOUND for anyone but its members and admins.',
  })
  ticket(@CurrentUser() actor: Actor, @Args('id', { type: () => ID }) id: string) {
    return this.service.ticket(id, actor);
  }

  @Roles(...EVERYONE)
  @Query(() => TicketConnection, {
    description:
      'Ticket queues: filter, order, page with cursors. Tickets of private teams are listed (and counted) for their members and admins only.',
    complexity: pagedComplexity,
  })
  async tickets(
    @CurrentUser() actor: Actor,
    @Args() args: TicketsArgs,
    @Info() info: GraphQLResolveInfo,
  ) {
    const order: TicketOrder = args.orderBy ?? 'updated_desc';
    const limit = pageSize(args.first);
    const keyset = ticketKeyset(order);
    const after = keyset.decode(args.after);
    const filter = toRepoFilter(args.filter ?? {}, actor);
    // the page reads the columns the query selects, and its relations with it (one statement)
    const selection = queueSelection(info);
    const rows = await this.service.page(actor, filter, order, after, limit + 1, selection);
    const connection = toConnection(
      rows,
      limit,
      (t) => keyset.encode([pageSortKey(t, order), t.id]),
      (t) => toPageNode(t, selection),
      !!after,
    );
    // counted only when the query selects totalCount (TicketConnectionResolver); capped so a
    // broad filter never scans millions of rows
    return Object.assign(connection, {
      countTotal: () => this.service.count(actor, filter, TICKET_COUNT_CAP + 1),
    });
  }

  @Roles(...TICKET_WORKERS)
  @Mutation(() => TicketObject, {
    description: 'Open a ticket on behalf of a contact (any channel).',
  })
  createTicket(@CurrentUser() actor: Actor, @Args('input') input: CreateTicketInput) {
    return this.service.create(actor, input);
  }

  @Roles(...TICKET_WORKERS)
  @Mutation(() => TicketObject, {
    description: 'Change subject, priority (SLA due times follow), tags, assignee or team.',
  })
  updateTicket(
    @CurrentUser() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: UpdateTicketInput,
  ) {
    return this.service.update(actor, id, input, new Set(Object.keys(input)));
  }

  @Roles(...TICKET_WORKERS)
  @Mutation(() => MessageResultObject, {
    description:
      'Public reply to the customer. The first one sets firstResponseAt; replying to a new ticket opens it.',
  })
  replyToTicket(
    @CurrentUser() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('body') body: string,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number | null,
    @Args('cc', {
      type: () => [String],
      nullable: true,
      description: 'More recipients of the e-mail (the requester always gets it).',
    })
    cc?: string[] | null,
    @Args('attachmentIds', {
      type: () => [ID],
      nullable: true,
      description: 'Your uploads (POST /attachments) to send with the reply.',
    })
    attachmentIds?: string[] | null,
  ) {
    return this.service.addMessage(actor, id, 'public_reply', body, {
      expectedVersion,
      cc,
      attachmentIds,
    });
  }

  @Roles(...TICKET_WORKERS, 'account_manager')
  @Mutation(() => MessageResultObject, { description: 'Internal note, visible to staff only.' })
  addInternalNote(
    @CurrentUser() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('body') body: string,
    @Args('attachmentIds', {
      type: () => [ID],
      nullable: true,
      description:
        'Your uploads (POST /attachments) to keep with the note (visible as the note is).',
    })
    attachmentIds?: string[] | null,
  ) {
    return this.service.addMessage(actor, id, 'internal_note', body, { attachmentIds });
  }

  @Roles(...TICKET_WORKERS)
  @Mutation(() => MessageResultObject, {
    description:
      'Record what the customer wrote (inbound mail, chat). Wakes pending/on-hold tickets and reopens solved ones.',
  })
  addCustomerMessage(
    @CurrentUser() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('body') body: string,
    @Args('contactId', {
      type: () => ID,
      nullable: true,
      description: 'Defaults to the requester.',
    })
    contactId?: string | null,
  ) {
    return this.service.addMessage(actor, id, 'customer_message', body, { contactId });
  }

  @Roles(...TICKET_WORKERS)
  @Mutation(() => TicketObject, {
    description:
      'Move the ticket through the state machine; illegal moves are BAD_USER_INPUT naming the move.',
  })
  changeTicketStatus(
    @CurrentUser() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('status', { type: () => TicketStatusEnum }) status: TicketStatus,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number | null,
  ) {
    return this.service.changeStatus(actor, id, status, expectedVersion);
  }

  @ResolveField(() => CustomerObject)
  customer(@Parent() t: TicketObject, @Loaders() loaders: RequestLoaders) {
    return loaders.get(CustomersLoaders).customer.load(t.customerId);
  }

  @ResolveField(() => ContactObject)
  requester(@Parent() t: TicketObject, @Loaders() loaders: RequestLoaders) {
    return loaders.get(CustomersLoaders).contact.load(t.requesterId);
  }

  @ResolveField(() => UserObject, { nullable: true })
  assignee(@Parent() t: TicketObject, @Loaders() loaders: RequestLoaders) {
    return t.assigneeId ? loaders.get(IdentityLoaders).user.load(t.assigneeId) : null;
  }

  @ResolveField(() => TeamObject, { nullable: true })
  team(@Parent() t: TicketObject, @Loaders() loaders: RequestLoaders) {
    return t.teamId ? loaders.get(IdentityLoaders).team.load(t.teamId) : null;
  }

  @ResolveField(() => TicketMessageObject, {
    nullable: true,
    description:
      'The latest message of any kind (internal notes of a private team only for its members and admins).',
  })
  async lastMessage(
    @Parent() t: TicketObject,
    @CurrentUser() actor: Actor,
    @Loaders() loaders: RequestLoaders,
  ) {
    const notes = await this.notesVisible(t, actor, loaders);
    return loaders.get(TicketsLoaders)[notes ? 'lastMessage' : 'lastPublicMessage'].load(t.id);
  }

  private async notesVisible(t: TicketObject, actor: Actor, loaders: RequestLoaders) {
    const team = t.teamId ? await loaders.get(IdentityLoaders).team.load(t.teamId) : null;
    return mayReadNotes(actor, team);
  }

  @ResolveField(() => TicketMessageConnection, {
    description:
      'The conversation, oldest first. Internal notes on tickets of a private team are listed for its members and admins only.',
    complexity: pagedComplexity,
  })
  async messages(
    @Parent() t: TicketObject,
    @CurrentUser() actor: Actor,
    @Loaders() loaders: RequestLoaders,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ) {
    const limit = pageSize(first);
    const cursor = MESSAGE_KEYSET.decode(after);
    const rows = await this.service.messages(
      t.id,
      cursor ? cursor[0] : null,
      limit + 1,
      await this.notesVisible(t, actor, loaders),
    );
    return toConnection(
      rows,
      limit,
      (m) => MESSAGE_KEYSET.encode([m.id]),
      (m) => m,
      !!cursor,
    );
  }

  @ResolveField(() => [TicketEventObject], { description: 'The full history, oldest first.' })
  events(@Parent() t: TicketObject, @Loaders() loaders: RequestLoaders) {
    return loaders.get(TicketsLoaders).events.load(t.id);
  }
}

@Resolver(() => TicketConnection)
export class TicketConnectionResolver {
  @ResolveField(() => Int, { nullable: true })
  totalCount(@Parent() c: { countTotal?: () => Promise<number>; totalCount?: number }) {
    return c.countTotal ? c.countTotal() : (c.totalCount ?? null);
  }
}

@Resolver(() => CustomerObject)
export class CustomerTicketsResolver {
  constructor(private readonly service: TicketsService) {}

  @ResolveField(() => Int, { description: 'Tickets not solved or closed.' })
  openTicketCount(@Parent() c: CustomerObject, @Loaders() loaders: RequestLoaders) {
    return loaders.get(TicketsLoaders).openTicketCount.load(c.id);
  }

  @ResolveField(() => TicketConnection, {
    description:
      "The customer's tickets, newest first (a private team's only for its members and admins).",
    complexity: pagedComplexity,
  })
  async tickets(
    @Parent() c: CustomerObject,
    @CurrentUser() actor: Actor,
    @Args('first', { type: () => Int, nullable: true }) first?: number | null,
    @Args('after', { type: () => String, nullable: true }) after?: string | null,
  ) {
    const limit = pageSize(first);
    const keyset = ticketKeyset('created_desc');
    const cursor = keyset.decode(after);
    const rows = await this.service.list(
      actor,
      { customerId: c.id },
      'created_desc',
      cursor,
      limit + 1,
    );
    return toConnection(
      rows,
      limit,
      (t) => keyset.encode([t.createdKey, t.id]),
      (t) => t,
      !!cursor,
    );
  }
}

@Resolver(() => TicketMessageObject)
export class TicketMessageResolver {
  @ResolveField(() => UserObject, { nullable: true })
  authorUser(@Parent() m: TicketMessageObject, @Loaders() loaders: RequestLoaders) {
    return m.authorUserId ? loaders.get(IdentityLoaders).user.load(m.authorUserId) : null;
  }

  @ResolveField(() => ContactObject, { nullable: true })
  authorContact(@Parent() m: TicketMessageObject, @Loaders() loaders: RequestLoaders) {
    return m.authorContactId ? loaders.get(CustomersLoaders).contact.load(m.authorContactId) : null;
  }
}
