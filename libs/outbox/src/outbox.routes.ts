import type { AppConfig, JobData, JobName } from '@staydesk/core';
import type { DomainEvent, EventOf, EventType } from './events';

export interface RoutedJob<N extends JobName = JobName> {
  name: N;
  data: JobData<N>;
  delayMs?: number;
}

type Route<T extends EventType> = (event: EventOf<T>, config: AppConfig) => RoutedJob[];

const job = <N extends JobName>(name: N, data: JobData<N>, delayMs?: number): RoutedJob =>
  ({ name, data, delayMs }) as RoutedJob;

/**
 * Which background work each event causes. The compiler insists on an entry per event type.
 * Job ids are derived from the outbox id by the relay, so a second relay of the same row is a
 * no-op in Redis.
 */
export const ROUTES: { [T in EventType]: Route<T> } = {
  'ticket.created': () => [],
  'ticket.solved': (e, config) => [
    job(
      'surveys.send-csat',
      { ticketId: e.payload.ticketId, solveCycle: e.payload.solveCycle },
      config.surveys.csatDelaySeconds * 1000,
    ),
  ],
  'ticket.reopened': () => [],
  'ticket.message_added': () => [],
  'survey.answered': () => [],
  'customer.status_changed': () => [],
};

export function routeEvent(event: DomainEvent, config: AppConfig): RoutedJob[] {
  return (ROUTES[event.type] as Route<EventType>)(event as EventOf<EventType>, config);
}
