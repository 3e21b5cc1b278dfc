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
  SlaPolicyResolver,
  TicketMessageResolver,
  TicketsResolver,
} from './tickets.resolver';
import { TicketsService } from './tickets.service';

@Module({
  imports: [IdentityModule, CustomersModule, OutboxModule, AttachmentsModule],
  providers: [TicketsRepository, TicketsService, TicketsLoaders],
  exports: [TicketsService, TicketsLoaders],
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
