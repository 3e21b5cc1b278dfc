import { Module } from '@nestjs/common';
import { FollowUpsModule } from '@staydesk/followups';
import { IdentityModule } from '@staydesk/identity';
import { OutboxWorkerModule } from '@staydesk/outbox';
import { TicketsModule } from '@staydesk/tickets';
import { LiveGateway } from './live.gateway';
import { LiveHub } from './live.hub';
import { LivePublisher } from './live.publisher';
import { LiveResolver } from './live.resolver';
import { PresenceService } from './presence.service';

/** api: the subscriptions, presence, and the graphql-ws options (LiveGateway). */
@Module({
  imports: [TicketsModule, IdentityModule, FollowUpsModule],
  providers: [LiveHub, LiveGateway, LiveResolver, PresenceService],
  exports: [LiveGateway, LiveHub],
})
export class LiveApiModule {}

/** worker: publishes what the outbox relay committed to the live channel. */
@Module({
  imports: [OutboxWorkerModule, TicketsModule, IdentityModule],
  providers: [LivePublisher],
})
export class LiveWorkerModule {}
