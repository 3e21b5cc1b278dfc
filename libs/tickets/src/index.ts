export { NEGATIVE_SENTIMENT, sentimentOf } from './sentiment';
export {
  CHANNELS,
  PRIORITIES,
  TICKET_STATUSES,
  nextDueAt,
  normalizeTags,
  slaBreaches,
  validateBody,
} from './ticket-rules';
export type { Channel, Priority, TicketStatus } from './ticket-rules';
export { insertMailTickets } from './ticket-batch-insert';
export type { MailTicketInput, OpenedMailTicket } from './ticket-batch-insert';
export { TicketHooks } from './ticket-hooks';
export type {
  CachedFold,
  CreateFold,
  FoldedUpdate,
  TicketDraft,
  TicketHook,
  TicketHookContext,
} from './ticket-hooks';
export { loadReadableTicket } from './tickets.loaders';
export { TicketsApiModule, TicketsModule, TicketsWorkerModule } from './tickets.module';
export {
  ChannelEnum,
  PriorityEnum,
  TicketMessageObject,
  TicketObject,
  TicketOrderEnum,
  TicketStatusEnum,
} from './tickets.object';
export type { MessageRow, TicketOrder, TicketRow } from './tickets.repository';
export { ticketFromJson } from './tickets.sql';
export { TicketsService } from './tickets.service';
export type { UpdateTicketInput } from './tickets.service';
export { TicketFilter as TicketFilterInput } from './tickets.input';
export { TICKET_COUNT_CAP, toRepoFilter } from './ticket-filter';
