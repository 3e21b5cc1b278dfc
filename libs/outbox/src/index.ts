export type { TicketChange } from './events';
export { OutboxModule, OutboxWorkerModule } from './outbox.module';
export { OutboxRelay } from './outbox.relay';
export { OutboxRepository } from './outbox.repository';
export type { OutboxRow } from './outbox.repository';
export { OutboxService } from './outbox.service';
