import { Injectable } from '@nestjs/common';
import { LoaderFactory, byIdLoader, groupLoader } from '@staydesk/core';
import DataLoader from 'dataloader';
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
