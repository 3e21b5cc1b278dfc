import { Injectable } from '@nestjs/common';
import { LoaderFactory, byIdLoader } from '@staydesk/core';
import { EmailService } from './email.service';

@Injectable()
export class EmailLoaders implements LoaderFactory<ReturnType<EmailLoaders['build']>> {
  constructor(private readonly email: EmailService) {}

  create() {
    return this.build();
  }

  private build() {
    return {
      messageMail: byIdLoader(
        (ids) => this.email.messageMail(ids),
        (m) => m.ticketMessageId,
      ),
      contactBounce: byIdLoader(
        (ids) => this.email.contactBounces(ids),
        (c) => c.id,
      ),
      teamSender: byIdLoader(
        (ids) => this.email.teamSenders(ids),
        (t) => t.teamId,
      ),
    };
  }
}
