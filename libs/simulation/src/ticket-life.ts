import {
  AGENT_DELAY,
  CUSTOMER_DELAY,
  HOLD_CHANCE,
  SOLVE_BASE,
  TEAM_DEFS,
  type Status,
  type Tone,
} from './catalog';
import {
  ANGRY_CLOSERS,
  ANGRY_OPENERS,
  FOLLOW_UPS,
  NOTES,
  REOPENS,
  REPLIES,
  TOPIC_SOLVES,
  cachedSentiment,
  fill,
} from './messages';
import {
  DAY,
  HOUR,
  MINUTE,
  type SlaPolicy,
  type StaffMember,
  type TicketEvent,
  type TicketHistory,
  type TicketMessage,
  type TicketSpec,
  type World,
} from './model';
import { Rng, streamRng } from './rng';
import { ticketColumns } from './sla';

// ---------------------------------------------------------------------------------------------
// Tickets: life

/** Simulates (or re-simulates, after a hand-over) a ticket's history and derives its row. */
export function simulateTicket(ticket: TicketSpec, world: World): TicketHistory {
  const life = new TicketLife(ticket, world, streamRng(world.options.seed, 'life', ticket.stream));
  life.run();
  const { events, messages, assigneeId } = life;
  const sla = world.sla[ticket.priority];
  return {
    events,
    messages,
    assigneeId,
    columns: ticketColumns(ticket, events, messages, sla, world.now),
  };
}

export type ReplyOutcome = 'ask' | 'hold' | 'solve';

/**
 * One ticket's history as a state machine (see the model at the top of the file). Each step
 * happens at a time strictly after the previous status change; a step whose time is after
 * "now" has not happened yet, and the simulation stops there.
 */
export class TicketLife {
  readonly events: TicketEvent[] = [];
  readonly messages: TicketMessage[] = [];
  private assignee: StaffMember | null;
  private currentStatus: Status = 'new';
  private lastStatusAt = -Infinity;
  private replies = 0;
  private reopens = 0;
  private held = false;
  private reassigned = false;

  constructor(
    private readonly ticket: TicketSpec,
    private readonly world: World,
    private readonly rng: Rng,
  ) {
    this.assignee = ticket.firstAssignee;
  }

  get assigneeId(): number | null {
    return this.assignee?.id ?? null;
  }

  run(): void {
    const { ticket } = this;
    const created = ticket.createdAt;
    const byPhone = ticket.channel === 'phone';
    this.event('created', created, byPhone ? this.assigneeId : null, null, 'new');
    this.lastStatusAt = created;
    // A phone ticket starts with the call notes of the agent who took the call.
    if (byPhone) this.staffMessage('internal_note', created, this.assignee!, this.callSummary());
    else this.customerSays(created, 'first');
    if (!this.assignee) return;

    const pickup = created + this.pickupDelay();
    if (!this.happened(pickup)) return;
    if (ticket.initialPriority !== ticket.priority) {
      this.event(
        'priority_changed',
        pickup,
        this.assigneeId,
        ticket.initialPriority,
        ticket.priority,
      );
    }
    this.setStatus('open', pickup, this.assigneeId);
    let next: number | null = pickup + this.rng.between(1, 15) * MINUTE;
    while (next !== null) next = this.agentTurn(next);
  }

  /** The agent answers at `at` (status is open); returns when the agent answers next, if ever. */
  private agentTurn(at: number): number | null {
    if (!this.happened(at)) return null;
    if (this.replies > 0 && !this.reassigned && this.rng.chance(0.06)) this.reassign(at);
    let replyAt = at;
    if (this.rng.chance(0.12)) {
      this.note(at, fill(this.rng.pick(NOTES), this.rng, { tier: this.ticket.customer.tier }));
      replyAt = at + this.rng.between(2, 20) * MINUTE;
      if (!this.happened(replyAt)) return null;
    }
    const outcome = this.replyOutcome();
    this.reply(replyAt, outcome);
    this.replies++;
    switch (outcome) {
      case 'solve':
        this.setStatus('solved', replyAt, this.assigneeId);
        return this.afterSolved(replyAt);
      case 'hold':
        return this.hold(replyAt);
      case 'ask':
        return this.askCustomer(replyAt);
    }
  }

  private replyOutcome(): ReplyOutcome {
    const { topic, channel, priority } = this.ticket;
    const quickChat = channel === 'chat' && this.replies === 0 ? 0.2 : 0;
    const solve = Math.min(0.9, SOLVE_BASE[topic] + 0.15 * this.replies + quickChat);
    const hold = this.held ? 0 : HOLD_CHANCE[topic] * (priority === 'urgent' ? 0.3 : 1);
    const u = this.rng.next();
    return u < solve ? 'solve' : u < solve + hold ? 'hold' : 'ask';
  }

  /** After a solve: an unhappy customer may reopen it, otherwise it closes after ~4 days. */
  private afterSolved(solvedAt: number): number | null {
    const late = solvedAt > this.resolutionDue();
    const reopenChance = 0.02 + 0.2 * this.ticket.customer.mood + (late ? 0.03 : 0);
    if (this.reopens < 2 && this.rng.chance(reopenChance)) {
      const back = solvedAt + this.customerDelay() * 2;
      if (!this.happened(back)) return null;
      this.customerSays(back, 'reopen');
      this.setStatus('open', back, null);
      this.reopens++;
      return back + this.agentDelay();
    }
    const closeAt = solvedAt + 4 * DAY + this.rng.between(0, 8) * HOUR;
    if (this.happened(closeAt)) this.setStatus('closed', closeAt, null);
    return null;
  }

  /** Parked while engineering works on it (days, sometimes weeks), then back to the agent. */
  private hold(at: number): number | null {
    this.held = true;
    this.setStatus('on_hold', at, this.assigneeId);
    const back = at + this.rng.logNormal(5 * DAY, 0.8);
    if (!this.happened(back)) return null;
    this.setStatus('open', back, this.assigneeId);
    return back + this.rng.between(5, 90) * MINUTE;
  }

  /** Waiting for the customer, who answers (→ open) or goes silent (solved after 4–6 days). */
  private askCustomer(at: number): number | null {
    this.setStatus('pending', at, this.assigneeId);
    if (this.rng.chance(0.12)) {
      const solveAt = at + this.rng.between(4, 6) * DAY;
      if (!this.happened(solveAt)) return null;
      this.setStatus('solved', solveAt, this.assigneeId);
      return this.afterSolved(solveAt);
    }
    const answerAt = at + this.customerDelay();
    if (!this.happened(answerAt)) return null;
    this.customerSays(answerAt, 'follow_up');
    this.setStatus('open', answerAt, null);
    return answerAt + this.agentDelay();
  }

  /** The team lead moves the ticket to another agent of the team. */
  private reassign(at: number): void {
    const colleagues = this.world.staff.agents[this.ticket.team].filter((a) => a !== this.assignee);
    if (colleagues.length === 0) return;
    const next = this.rng.pick(colleagues);
    const lead = this.world.staff.leads[this.ticket.team];
    this.event('assignee_changed', at, lead.id, String(this.assigneeId), String(next.id));
    this.assignee = next;
    this.reassigned = true;
  }

  // --- timing ----------------------------------------------------------------------------------

  private happened(at: number): boolean {
    return at <= this.world.now;
  }

  private sla(): SlaPolicy {
    return this.world.sla[this.ticket.priority];
  }

  private resolutionDue(): number {
    return this.ticket.createdAt + this.sla().resolutionMinutes * MINUTE;
  }

  /** Time to first pickup: ~30 % of the SLA target (≈ 10 % breach it); phone and chat are live. */
  private pickupDelay(): number {
    const target = this.sla().firstResponseMinutes * MINUTE;
    const pace = TEAM_DEFS.find((t) => t.key === this.ticket.team)!.pace;
    switch (this.ticket.channel) {
      case 'phone':
        return this.rng.between(1, 10) * MINUTE;
      case 'chat':
        return Math.max(MINUTE, this.rng.logNormal(0.05 * target, 0.8));
      default:
        return Math.max(MINUTE, this.rng.logNormal(0.3 * target * pace, 0.9));
    }
  }

  private agentDelay(): number {
    const chat = this.ticket.channel === 'chat' ? 0.1 : 1;
    return Math.max(MINUTE, this.rng.logNormal(AGENT_DELAY[this.ticket.priority] * chat, 0.8));
  }

  private customerDelay(): number {
    const chat = this.ticket.channel === 'chat' ? 0.1 : 1;
    return Math.max(MINUTE, this.rng.logNormal(CUSTOMER_DELAY[this.ticket.priority] * chat, 1.2));
  }

  // --- writing history -------------------------------------------------------------------------

  private event(
    type: TicketEvent['type'],
    at: number,
    actorId: number | null,
    from: string | null,
    to: string | null,
  ): void {
    this.events.push({ type, actorId, from, to, at });
  }

  private setStatus(to: Status, at: number, actorId: number | null): void {
    if (at <= this.lastStatusAt)
      throw new Error(`ticket ${this.ticket.stream}: time went backwards`);
    this.event('status_changed', at, actorId, this.currentStatus, to);
    this.currentStatus = to;
    this.lastStatusAt = at;
  }

  private customerSays(at: number, kind: 'first' | 'follow_up' | 'reopen'): void {
    const body = this.customerText(kind, this.tone(kind, at));
    const contact = this.ticket.requester;
    this.messages.push({
      kind: 'customer_message',
      authorUserId: null,
      authorContact: contact,
      body,
      sentiment: cachedSentiment(body),
      at,
    });
  }

  /** Angry more often for hard-to-please customers, outages, and tickets past their SLA. */
  private tone(kind: 'first' | 'follow_up' | 'reopen', at: number): Tone {
    const mood = this.ticket.customer.mood;
    let angry: number;
    if (kind === 'first') {
      angry = 0.04 + 0.45 * mood + (this.ticket.topic === 'outage' ? 0.15 : 0);
    } else if (kind === 'reopen') {
      angry = 0.35 + 0.5 * mood;
    } else {
      angry = 0.04 + 0.5 * mood + (at > this.resolutionDue() ? 0.25 : 0);
    }
    if (this.rng.chance(angry)) return 'angry';
    return kind !== 'reopen' && this.rng.chance(0.3) ? 'happy' : 'neutral';
  }

  private customerText(kind: 'first' | 'follow_up' | 'reopen', tone: Tone): string {
    const { rng, ticket } = this;
    let text: string;
    if (kind === 'first') {
      const detail = fill(ticket.issue.detail, rng, ticket.facts);
      text =
        tone === 'angry'
          ? `${rng.pick(ANGRY_OPENERS)} ${detail} ${rng.pick(ANGRY_CLOSERS)}`
          : `Hello,\n\n${detail}${tone === 'happy' ? ' Thanks in advance, great product!' : ''}`;
    } else if (kind === 'reopen') {
      text = fill(rng.pick(REOPENS[tone === 'angry' ? 'angry' : 'neutral']), rng);
    } else {
      text = fill(rng.pick(FOLLOW_UPS[tone]), rng);
    }
    return `${text}\n\n${ticket.requester.firstName}`;
  }

  private callSummary(): string {
    const detail = fill(this.ticket.issue.detail, this.rng, this.ticket.facts);
    return `Call summary: ${this.ticket.requester.firstName} called. "${detail}"`;
  }

  private reply(at: number, outcome: ReplyOutcome): void {
    const template =
      outcome === 'solve'
        ? (TOPIC_SOLVES[this.ticket.topic] ?? this.rng.pick(REPLIES.solve))
        : this.rng.pick(REPLIES[outcome]);
    // Like the api: the first public reply is also a `first_response` event.
    if (!this.messages.some((m) => m.kind === 'public_reply')) {
      this.event('first_response', at, this.assigneeId, null, null);
    }
    const signature = this.assignee!.name.split(' ')[0];
    const body = `${fill(template, this.rng, { first: this.ticket.requester.firstName })}\n\nBest,\n${signature}`;
    this.staffMessage('public_reply', at, this.assignee!, body);
  }

  private note(at: number, body: string): void {
    const lead = this.world.staff.leads[this.ticket.team];
    const author = this.assignee && this.rng.chance(0.85) ? this.assignee : lead;
    this.staffMessage('internal_note', at, author, body);
  }

  private staffMessage(
    kind: 'public_reply' | 'internal_note',
    at: number,
    author: StaffMember,
    body: string,
  ): void {
    this.messages.push({
      kind,
      authorUserId: author.id,
      authorContact: null,
      body,
      sentiment: null,
      at,
    });
  }
}
