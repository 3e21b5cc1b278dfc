import { Injectable } from '@nestjs/common';
import { LoaderFactory, byIdLoader, groupLoader } from '@staydesk/core';
import { CustomersService } from './customers.service';

@Injectable()
export class CustomersLoaders implements LoaderFactory<ReturnType<CustomersLoaders['build']>> {
  constructor(private readonly customers: CustomersService) {}

  create() {
    return this.build();
  }

  private build() {
    return {
      customer: byIdLoader(
        (ids) => this.customers.byIds(ids),
        (c) => c.id,
      ),
      contact: byIdLoader(
        (ids) => this.customers.contactsByIds(ids),
        (c) => c.id,
      ),
      contactsOfCustomer: groupLoader(
        (ids) => this.customers.contactsByCustomerIds(ids),
        (c) => c.customerId,
      ),
      statusChangesOfCustomer: groupLoader(
        (ids) => this.customers.statusChangesByCustomerIds(ids),
        (s) => s.customerId,
      ),
    };
  }
}
