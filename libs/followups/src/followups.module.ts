import { Module } from '@nestjs/common';
import { CustomersModule } from '@staydesk/customers';
import { IdentityModule } from '@staydesk/identity';
import { MailModule } from '@staydesk/mail';
import { OutboxModule } from '@staydesk/outbox';
import { TicketsModule } from '@staydesk/tickets';
import { FollowUpsLoaders } from './followups.loaders';
import { FollowUpsProcessor } from './followups.processor';
import { FollowUpsRepository } from './followups.repository';
import { FollowUpsResolver } from './followups.resolver';
import { FollowUpsService } from './followups.service';

/** Follow-ups: the service other modules use (e.g. `openForOwner` inside their transaction). */
@Module({
  imports: [OutboxModule, IdentityModule],
  providers: [FollowUpsRepository, FollowUpsService, FollowUpsLoaders],
  exports: [FollowUpsService, FollowUpsLoaders],
})
export class FollowUpsModule {}

/** The GraphQL face of follow-ups (api). Owner and customer relations use their libs' loaders. */
@Module({
  imports: [FollowUpsModule, IdentityModule, CustomersModule, TicketsModule],
  providers: [FollowUpsResolver],
})
export class FollowUpsApiModule {}

/** Reminders (worker): the `followups` queue processor, which sends e-mail. */
@Module({
  imports: [FollowUpsModule, MailModule],
  providers: [FollowUpsProcessor],
})
export class FollowUpsWorkerModule {}
