import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  OnApplicationBootstrap,
  OnApplicationShutdown,
  ServiceUnavailableException,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { GraphQLError } from 'graphql';
import Redis from 'ioredis';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  APP_CONFIG,
  AppConfig,
  REDIS_CLIENT,
  RequestLoaders,
  forbidden,
  redisOptionsFromUrl,
} from '@staydesk/core';
import { FollowUpsService } from '@staydesk/followups';
import { Actor, IdentityService, TICKET_WORKERS, UserObject, validateId } from '@staydesk/identity';
import type { TicketChange } from '@staydesk/outbox';
import { TicketRow, TicketsService, ticketFromJson } from '@staydesk/tickets';
import { BoundedStream } from './bounded-stream';
import { LiveConnection, refetchError, unavailableError } from './live-connection';
import { LiveEvent, LiveTeam, liveChannel, liveReadersKey } from './live-events';
import type {
  FollowUpDueObject,
  QueueEventObject,
  TicketActivityObject,
  TicketViewersObject,
} from './live.object';
import { PresenceService, Viewer } from './presence.service';
import { QueueChange, QueueFilter, before, queueChangeFrom } from './queue-filter';
import { readTicketsWithTeams } from './ticket-reads';
import { TicketVisibility } from './visibility';

/** How often an api process with ticket subscribers says so again, and how long that holds. */
const READER_REFRESH_MS = 10_000;
const READER_TTL_MS = 30_000;

type Item<T> = { value: T; loaders: RequestLoaders };
type Stream<T> = BoundedStream<Item<T>, GraphQLError>;
interface Sub<T> {
  conn: LiveConnection;
  stream: Stream<T>;
}
interface QueueSub extends Sub<QueueEventObject> {
  filter: QueueFilter;
  /** The filter as a string: subscribers with the same view share one evaluation per event. */
  filterKey: string;
}

/** Keeps a Set per key and drops the key with its last member. */
class Registry<T> {
  private readonly map = new Map<string, Set<T>>();
  add(key: string, v: T) {
    let set = this.map.get(key);
    if (!set) this.map.set(key, (set = new Set()));
    set.add(v);
  }
  delete(key: string, v: T) {
    const set = this.map.get(key);
    if (set?.delete(v) && set.size === 0) this.map.delete(key);
  }
  get(key: string): Set<T> | undefined {
    return this.map.get(key);
  }
  /** Whether any key has a member. */
  get empty(): boolean {
    return this.map.size === 0;
  }
  keys() {
    return [...this.map.keys()];
  }
  all(): T[] {
    return [...this.map.values()].flatMap((s) => [...s]);
  }
}

/**
 * The api side of live updates. One Redis subscriber connection per api process receives every
 * event (published by the worker's outbox relay after commit, or by `reportPresence`); the hub
 * reads the ticket once per event and hands it to each local subscriber that may see it, in
 * the order the events arrived. Visibility uses the same rules as queries: anyone signed in
 * reads tickets, a private team's tickets only its members and admins (`mayReadTicket`),
 * follow-ups only their owner.
 *
 * If the subscriber connection drops (Redis down), every subscription ends with
 * SERVICE_UNAVAILABLE and new ones are refused until it is back; clients resubscribe and
 * refetch. Events published meanwhile are not replayed (pub/sub keeps nothing).
 */
@Injectable()
export class LiveHub implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscriber?: Redis;
  private up = false;
  private stopped = false;
  private chain: Promise<void> = Promise.resolve();
  private sweepTimer?: NodeJS.Timeout;
  private readerTimer?: NodeJS.Timeout;
  /** This process in the set of api processes with ticket subscribers (liveReadersKey). */
  private readonly instance = randomUUID();
  private reading = false;
  private readonly queueSubs = new Set<QueueSub>();
  private readonly activitySubs = new Registry<Sub<TicketActivityObject>>();
  private readonly viewerSubs = new Registry<Sub<TicketViewersObject>>();
  private readonly followUpSubs = new Registry<Sub<FollowUpDueObject>>();
  private readonly viewersSeen = new Map<string, string>();
  /** Ticket events received and not yet handled (one read for all of them: dispatchTickets). */
  private readonly ticketEvents: Extract<LiveEvent, { kind: 'ticket' }>[] = [];

  constructor(
    private readonly tickets: TicketsService,
    private readonly identity: IdentityService,
    private readonly followUps: FollowUpsService,
    private readonly presence: PresenceService,
    private readonly moduleRef: ModuleRef,
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectPinoLogger(LiveHub.name) private readonly logger: PinoLogger,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const sub = new Redis({
      ...redisOptionsFromUrl(this.config.redis.url),
      lazyConnect: true,
      connectTimeout: 2000,
      maxRetriesPerRequest: null,
      retryStrategy: (times) => (this.stopped ? null : Math.min(times * 200, 2000)),
    });
    this.subscriber = sub;
    sub.on('error', () => undefined);
    sub.on('message', (_channel: string, message: string) => this.receive(message));
    sub.on('close', () => {
      if (!this.up) return;
      this.up = false;
      this.logger.warn('live updates: Redis subscriber connection lost; ending subscriptions');
      this.endAll();
    });
    // after every (re)connect: subscribe (again: harmless, and needed when the first connect
    // failed, since ioredis only resubscribes channels it had), then take subscriptions again
    const channel = liveChannel(this.config.redis.prefix);
    sub.on('ready', () => {
      if (this.stopped) return;
      sub.subscribe(channel).then(
        () => {
          if (this.up || this.stopped) return;
          this.up = true;
          this.logger.info('live updates: receiving events');
        },
        () => undefined,
      );
    });
    try {
      await sub.connect();
      await sub.subscribe(channel);
      this.up = true;
    } catch (err) {
      this.logger.warn({ err }, 'live updates: Redis unreachable at boot; retrying');
    }
    this.sweepTimer = setInterval(() => this.sweepViewers(), this.config.live.presenceSweepMs);
    this.sweepTimer.unref();
    this.readerTimer = setInterval(() => this.markReader(true), READER_REFRESH_MS);
    this.readerTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.up = false;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.readerTimer) clearInterval(this.readerTimer);
    await this.redis.zrem(liveReadersKey(this.config.redis.prefix), this.instance).catch(() => 0);
    this.subscriber?.disconnect();
    await this.chain;
  }

  /** Whether events are flowing (the subscriber connection is up). */
  get receiving(): boolean {
    return this.up;
  }

  /** Subscriptions open in this process (for the bench and logs). */
  get size(): number {
    return (
      this.queueSubs.size +
      this.activitySubs.all().length +
      this.viewerSubs.all().length +
      this.followUpSubs.all().length
    );
  }

  queue(conn: LiveConnection, filter: QueueFilter) {
    const stream = this.open<QueueEventObject>(() => {
      this.queueSubs.delete(sub);
      this.markReader();
    });
    const sub: QueueSub = { conn, stream, filter, filterKey: JSON.stringify(filter) };
    this.queueSubs.add(sub);
    this.markReader();
    return stream;
  }

  async activity(conn: LiveConnection, ticketId: string) {
    const id = await this.readableTicket(conn.actor, ticketId);
    const stream = this.open<TicketActivityObject>(() => {
      this.activitySubs.delete(id, sub);
      this.markReader();
    });
    const sub = { conn, stream };
    this.activitySubs.add(id, sub);
    this.markReader();
    return stream;
  }

  async viewers(conn: LiveConnection, ticketId: string) {
    const id = await this.readableTicket(conn.actor, ticketId);
    const stream = this.open<TicketViewersObject>(() => this.viewerSubs.delete(id, sub));
    const sub = { conn, stream };
    this.viewerSubs.add(id, sub);
    // the current viewers at once, then every change
    this.enqueue(() => this.pushViewers(id, [sub]));
    return stream;
  }

  followUpsDue(conn: LiveConnection) {
    const owner = conn.actor.id;
    const stream = this.open<FollowUpDueObject>(() => this.followUpSubs.delete(owner, sub));
    const sub = { conn, stream };
    this.followUpSubs.add(owner, sub);
    return stream;
  }

  /** A heartbeat from a ticket page: viewing (or composing), or leaving it. */
  async reportPresence(actor: Actor, ticketId: string, composing: boolean, leaving: boolean) {
    const id = await this.readableTicket(actor, ticketId, 'ticketId');
    if (composing && !leaving && ![...TICKET_WORKERS, 'account_manager'].includes(actor.role)) {
      throw forbidden(`a ${actor.role} does not write on tickets, so cannot be composing`);
    }
    try {
      await this.presence.report(actor.id, id, composing, leaving);
    } catch (err) {
      this.logger.warn({ err }, 'presence not recorded (Redis unreachable)');
      throw new ServiceUnavailableException(
        'presence is unavailable right now (Redis is unreachable); the heartbeat can be sent again shortly',
      );
    }
    return true;
  }

  /**
   * Keeps this process in the set of api processes that have ticket subscribers (queue or
   * activity), so the worker reads each event's ticket for them (LivePublisher); leaves it when
   * the last one ends. Refreshed every READER_REFRESH_MS; an entry a crashed process left expires.
   * Best effort: a stale answer only decides who reads the ticket, the worker or each api.
   */
  private markReader(refresh = false) {
    const reading = this.queueSubs.size > 0 || !this.activitySubs.empty;
    // nothing changed: only the timer writes again (1,000 consoles subscribing are one write)
    if (reading === this.reading && !(reading && refresh)) return;
    this.reading = reading;
    const key = liveReadersKey(this.config.redis.prefix);
    const now = Date.now();
    const write = reading
      ? this.redis
          .multi()
          .zremrangebyscore(key, '-inf', now) // entries of processes that stopped refreshing
          .zadd(key, now + READER_TTL_MS, this.instance)
          .pexpire(key, READER_TTL_MS)
          .exec()
      : this.redis.zrem(key, this.instance);
    write.catch(() => {
      // Redis unreachable: write again at the next change or refresh
      this.reading = !reading;
    });
  }

  private open<T>(onClose: () => void): Stream<T> {
    if (!this.up) throw unavailableError();
    return new BoundedStream<Item<T>, GraphQLError>(
      this.config.live.bufferEvents,
      onClose,
      refetchError(this.config.live.bufferEvents),
    );
  }

  /** The id, if the ticket exists and the actor may read it (NOT_FOUND otherwise, as `ticket(id)`). */
  private async readableTicket(actor: Actor, ticketId: string, field = 'id'): Promise<string> {
    const t = await this.tickets.ticket(validateId(ticketId, field), actor);
    return t.id;
  }

  private endAll() {
    const streams: { end(reason: GraphQLError): void }[] = [
      ...[...this.queueSubs].map((s) => s.stream),
      ...this.activitySubs.all().map((s) => s.stream),
      ...this.viewerSubs.all().map((s) => s.stream),
      ...this.followUpSubs.all().map((s) => s.stream),
    ];
    for (const s of streams) s.end(unavailableError());
  }

  private receive(message: string) {
    let event: LiveEvent;
    try {
      event = JSON.parse(message) as LiveEvent;
    } catch {
      return;
    }
    if (event.kind !== 'ticket') {
      this.enqueue(() => this.dispatch(event));
      return;
    }
    // ticket events that arrive while earlier ones are handled (the relay publishes its batches
    // in one pipeline) share one read of their tickets and teams
    this.ticketEvents.push(event);
    if (this.ticketEvents.length === 1) this.enqueue(() => this.dispatchTickets());
  }

  /** Events are handled one at a time, so each subscriber sees them in the order they came. */
  private enqueue(work: () => Promise<void>) {
    this.chain = this.chain.then(work).catch((err: unknown) => {
      this.logger.warn({ err }, 'live updates: an event could not be delivered');
    });
  }

  private async dispatch(event: LiveEvent): Promise<void> {
    switch (event.kind) {
      case 'ticket':
        this.ticketEvents.push(event);
        return this.dispatchTickets();
      case 'followup':
        return this.dispatchFollowUp(event);
      case 'presence':
        return this.pushViewers(event.ticketId, [...(this.viewerSubs.get(event.ticketId) ?? [])]);
      default: {
        const unreachable: never = event;
        return unreachable;
      }
    }
  }

  /**
   * The ticket events waiting (in arrival order), with one read of their tickets and one of
   * their teams for all of them, not two reads per event.
   */
  private async dispatchTickets() {
    const events = this.ticketEvents.splice(0);
    const wanted = events.filter(
      (e) => this.queueSubs.size > 0 || this.activitySubs.get(e.ticketId) !== undefined,
    );
    if (wanted.length === 0) return;
    // the worker's relay sends each ticket with its event; only events without it (an older
    // worker's, or its read failed) are read here
    const missing = wanted.filter((e) => !e.ticket).map((e) => e.ticketId);
    const { tickets, teams } =
      missing.length > 0
        ? await readTicketsWithTeams(this.tickets, this.identity, missing)
        : { tickets: new Map<string, TicketRow>(), teams: new Map<string, LiveTeam>() };
    for (const event of wanted) {
      if (event.ticket) {
        await this.dispatchTicket(event, ticketFromJson(event.ticket), event.team ?? null);
        continue;
      }
      const ticket = tickets.get(event.ticketId);
      if (!ticket) continue;
      await this.dispatchTicket(event, ticket, (ticket.teamId && teams.get(ticket.teamId)) || null);
    }
  }

  private async dispatchTicket(
    event: Extract<LiveEvent, { kind: 'ticket' }>,
    ticket: TicketRow,
    team: LiveTeam | null,
  ) {
    const activity = [...(this.activitySubs.get(event.ticketId) ?? [])];
    if (activity.length === 0 && this.queueSubs.size === 0) return;
    let message = null;
    if (event.messageId && activity.length > 0) {
      // the message itself: the first one from its id on (ids only grow)
      [message] = await this.tickets.messages(ticket.id, String(BigInt(event.messageId) - 1n), 1);
      if (message?.id !== event.messageId) message = null;
    }
    const changes: TicketChange[] = [
      ...(event.type === 'created' ? [{ type: 'created', from: null, to: ticket.status }] : []),
      ...(event.messageKind ? [{ type: 'message', from: null, to: event.messageKind }] : []),
      ...event.changes,
    ];
    // one item per distinct value, shared by the subscribers it goes to (sharedSubscribe then
    // executes each selection set once per item, not once per subscriber)
    const loaders = new RequestLoaders(this.moduleRef);
    const activityItem = { value: { id: event.id, ticket, changes, message }, loaders };
    // a private team's ticket is news only to those who may read it (also after a move into
    // the team: the subscription stays open but stays silent); decided per visibility class,
    // with the connection's current user (re-checked every LIVE_REAUTH_MS)
    const visibility = new TicketVisibility(team);
    for (const s of activity) {
      if (!visibility.mayRead(s.conn.actor)) continue;
      s.stream.push(activityItem);
    }
    // per event, not per subscriber: the ticket as it was, each distinct view's change, and
    // visibility per class (1,000 consoles share a handful of each)
    const was = event.type === 'created' ? null : before(ticket, event.changes);
    const changeByView = new Map<string, QueueChange | null>();
    const queueItems = new Map<string, Item<QueueEventObject>>();
    for (const s of this.queueSubs) {
      if (!visibility.mayRead(s.conn.actor)) continue;
      let change = changeByView.get(s.filterKey);
      if (change === undefined) {
        change = queueChangeFrom(ticket, was, s.filter);
        changeByView.set(s.filterKey, change);
      }
      if (!change) continue;
      let item = queueItems.get(change);
      if (!item) {
        item = { value: { id: event.id, change, ticket, changes }, loaders };
        queueItems.set(change, item);
      }
      s.stream.push(item);
    }
  }

  private async dispatchFollowUp(event: Extract<LiveEvent, { kind: 'followup' }>) {
    const subs = [...(this.followUpSubs.get(event.ownerId) ?? [])];
    if (subs.length === 0) return;
    const [followUp] = await this.followUps.byIds([event.followUpId]);
    if (!followUp || followUp.ownerId !== event.ownerId) return;
    const item = { value: { id: event.id, followUp }, loaders: new RequestLoaders(this.moduleRef) };
    for (const s of subs) s.stream.push(item);
  }

  private async pushViewers(ticketId: string, subs: Sub<TicketViewersObject>[]) {
    const open = subs.filter((s) => s.stream.isOpen);
    if (open.length === 0) return;
    const viewers = await this.presence.viewers(ticketId);
    const users = await this.identity.usersByIds(viewers.map((v) => v.userId));
    const byId = new Map(users.map((u) => [u.id, u]));
    const value: TicketViewersObject = {
      ticketId,
      viewers: viewers
        .filter((v) => byId.get(v.userId)?.active)
        .map((v) => ({
          user: byId.get(v.userId) as UserObject,
          composing: v.composing,
          seenAt: v.seenAt,
        })),
    };
    this.viewersSeen.set(ticketId, signature(viewers));
    const item = { value, loaders: new RequestLoaders(this.moduleRef) };
    for (const s of open) s.stream.push(item);
  }

  /** Presence has no "expired" event: re-read the tickets somebody watches, push what changed. */
  private sweepViewers() {
    if (!this.up) return;
    for (const ticketId of [...this.viewersSeen.keys()]) {
      if (!this.viewerSubs.get(ticketId)) this.viewersSeen.delete(ticketId);
    }
    for (const ticketId of this.viewerSubs.keys()) {
      this.enqueue(async () => {
        const viewers = await this.presence.viewers(ticketId);
        if (signature(viewers) !== this.viewersSeen.get(ticketId)) {
          await this.pushViewers(ticketId, [...(this.viewerSubs.get(ticketId) ?? [])]);
        }
      });
    }
  }
}

const signature = (viewers: Viewer[]) => viewers.map((v) => `${v.userId}:${v.composing}`).join(',');
