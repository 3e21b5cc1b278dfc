import { Module } from '@nestjs/common';
import { OutboxRelay } from './outbox.relay';
import { OutboxRepository } from './outbox.repository';
import { OutboxService } from './outbox.service';

/** What writers import: `OutboxService.record(tx, event)`. */
@Module({
  providers: [OutboxRepository, OutboxService],
  exports: [OutboxService, OutboxRepository],
})
export class OutboxModule {}

/** The relay (worker only). */
@Module({ imports: [OutboxModule], providers: [OutboxRelay], exports: [OutboxRelay] })
export class OutboxWorkerModule {}
