import { Module } from '@nestjs/common';
import { AttachmentsModule } from '@staydesk/attachments';
import { CustomersModule } from '@staydesk/customers';
import { IdentityModule } from '@staydesk/identity';
import { OutboxModule } from '@staydesk/outbox';
import { TicketsLoaders } from './tickets.loaders';
import { TicketsProcessor } from './tickets.processor';
import { TicketsRepository } from './tickets.repository';
import {
  CustomerTicketsResolver,
  TicketConnectionResolver,
  TicketMessageResolver,
  TicketsResolver,
} from './tickets.resolver';
import { SlaPolicyResolver } from './sla-policies.resolver';
import { TicketsService } from './tickets.service';
import { TicketHooks } from './ticket-hooks';

@Module({
  imports: [IdentityModule, CustomersModule, OutboxModule, AttachmentsModule],
  providers: [TicketsRepository, TicketsService, TicketsLoaders, TicketHooks],
  exports: [TicketsService, TicketsLoaders, TicketHooks],
})
export class TicketsModule {}

@Module({
  imports: [TicketsModule],
  providers: [
    TicketsResolver,
    TicketConnectionResolver,
    CustomerTicketsResolver,
    TicketMessageResolver,
    SlaPolicyResolver,
  ],
})
export class TicketsApiModule {}

@Module({ imports: [TicketsModule], providers: [TicketsProcessor] })
export class TicketsWorkerModule {}
