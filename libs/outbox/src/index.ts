export * from './events';
export * from './outbox.module';
export * from './outbox.relay';
export * from './outbox.repository';
export * from './outbox.routes';
export * from './outbox.service';
