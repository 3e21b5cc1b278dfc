import { Module } from '@nestjs/common';
import { IdentityModule } from '@staydesk/identity';
import { OutboxModule } from '@staydesk/outbox';
import { CustomersLoaders } from './customers.loaders';
import { CustomersRepository } from './customers.repository';
import { ContactsResolver, CustomersResolver } from './customers.resolver';
import { CustomersService } from './customers.service';

@Module({
  imports: [IdentityModule, OutboxModule],
  providers: [CustomersRepository, CustomersService, CustomersLoaders],
  exports: [CustomersService, CustomersLoaders],
})
export class CustomersModule {}

@Module({ imports: [CustomersModule], providers: [CustomersResolver, ContactsResolver] })
export class CustomersApiModule {}
