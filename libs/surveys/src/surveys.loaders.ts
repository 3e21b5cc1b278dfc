import { Injectable } from '@nestjs/common';
import { LoaderFactory, groupLoader } from '@staydesk/core';
import { SurveysService } from './surveys.service';

@Injectable()
export class SurveysLoaders implements LoaderFactory<ReturnType<SurveysLoaders['build']>> {
  constructor(private readonly surveys: SurveysService) {}

  create() {
    return this.build();
  }

  private build() {
    return {
      ofTicket: groupLoader(
        (ids) => this.surveys.byTicketIds(ids),
        (s) => s.ticketId ?? '',
      ),
      ofCustomer: groupLoader(
        (ids) => this.surveys.byCustomerIds(ids),
        (s) => s.customerId,
      ),
    };
  }
}
