import { Injectable } from '@nestjs/common';
import { LoaderFactory, RequestLoaders, byIdLoader, groupLoader } from '@staydesk/core';
import { Actor, IdentityLoaders, mayReadTicket } from '@staydesk/identity';
import DataLoader from 'dataloader';
import { TicketRow } from './tickets.repository';
import { TicketsService } from './tickets.service';

@Injectable()
export class TicketsLoaders implements LoaderFactory<ReturnType<TicketsLoaders['build']>> {
  constructor(private readonly tickets: TicketsService) {}

  create() {
    return this.build();
  }

  private build() {
    return {
      ticket: byIdLoader(
        (ids) => this.tickets.byIds(ids),
        (t) => t.id,
      ),
      lastMessage: byIdLoader(
        (ids) => this.tickets.lastMessages(ids, true),
        (m) => m.ticketId,
      ),
      lastPublicMessage: byIdLoader(
        (ids) => this.tickets.lastMessages(ids, false),
        (m) => m.ticketId,
      ),
      events: groupLoader(
        (ids) => this.tickets.events(ids),
        (e) => e.ticketId,
      ),
      openTicketCount: new DataLoader<string, number>(async (ids) => {
        const rows = await this.tickets.countOpenByCustomer(ids);
        const map = new Map(rows.map((r) => [r.customerId, r.n]));
        return ids.map((id) => map.get(id) ?? 0);
      }),
    };
  }
}

/**
 * A ticket for a field resolver of another type (a follow-up's, a KPI drill row's): null when it
 * does not exist or belongs to a private team the actor is not in (`mayReadTicket`).
 */
export async function loadReadableTicket(
  loaders: RequestLoaders,
  actor: Actor,
  id: string,
): Promise<TicketRow | null> {
  const t = await loaders.get(TicketsLoaders).ticket.load(id);
  if (!t?.teamId || actor.role === 'admin') return t;
  const team = await loaders.get(IdentityLoaders).team.load(t.teamId);
  return mayReadTicket(actor, team) ? t : null;
}
