export * from './sentiment';
export * from './ticket-rules';
export * from './tickets.loaders';
export * from './tickets.module';
export * from './tickets.object';
export * from './tickets.repository';
export * from './tickets.service';
export { TicketFilter as TicketFilterInput } from './tickets.input';
export { TICKET_COUNT_CAP, toRepoFilter } from './tickets.resolver';
