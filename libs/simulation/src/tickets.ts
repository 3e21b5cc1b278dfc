import {
  CHANNEL_MIX,
  ISSUES,
  MONTH_NAMES,
  OBJECTS,
  PRIORITIES,
  PRIORITY_MIX,
  TOPIC_MIX,
  TOPIC_TEAM,
  type Priority,
} from './catalog';
import { CustomerPicker } from './customers';
import { RELATED_TOPICS, fill } from './messages';
import {
  DAY,
  iso,
  type Contact,
  type Customer,
  type Ticket,
  type TicketSpec,
  type World,
} from './model';
import { Rng, streamRng } from './rng';
import { simulateTicket } from './ticket-life';

// ---------------------------------------------------------------------------------------------
// Tickets: arrival

/** Arrival times: uniform, thinned at night (UTC) and on weekends, slightly growing over time. */
export function arrivalTime(world: World, rng: Rng): number {
  const span = world.now - world.ticketsFrom;
  for (;;) {
    const t = world.ticketsFrom + rng.next() * span;
    const d = new Date(t);
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
    const daytime = d.getUTCHours() >= 7 && d.getUTCHours() < 19;
    const weight =
      (weekend ? 0.35 : 1) * (daytime ? 1 : 0.35) * (0.8 + (0.2 * (t - world.ticketsFrom)) / span);
    if (rng.chance(weight)) return t;
  }
}

/**
 * Ticket number `stream` draws its arrival, its attributes and its life from streams of its own,
 * so a draw that depends on the clock (a ticket near "now") never shifts any other ticket.
 * Tickets come back in arrival order.
 */
export function generateTickets(world: World, picker: CustomerPicker): Ticket[] {
  const { seed } = world.options;
  const arrivals = Array.from({ length: world.options.tickets }, (_, stream) => ({
    stream,
    at: arrivalTime(world, streamRng(seed, 'arrival', stream)),
  }));
  arrivals.sort((a, b) => a.at - b.at || a.stream - b.stream);
  return arrivals.map(({ stream, at }) => {
    const rng = streamRng(seed, 'ticket', stream);
    const customer = picker.pick(at, rng);
    if (!customer) throw new Error(`no customer had signed up by ${iso(at)}`);
    return newTicket(world, stream, at, customer, rng);
  });
}

export function newTicket(
  world: World,
  stream: number,
  at: number,
  customer: Customer,
  rng: Rng,
): Ticket {
  const topic = rng.weighted(TOPIC_MIX);
  const priority = rng.weighted(PRIORITY_MIX);
  const channel = rng.weighted(CHANNEL_MIX);
  const team = TOPIC_TEAM[topic];
  const tags = new Set<string>([topic]);
  if (rng.chance(0.2)) tags.add(rng.pick(RELATED_TOPICS[topic]));
  const issue = rng.pick(ISSUES[topic]);
  const facts = {
    inv: `INV-${rng.int(10_000, 99_999)}`,
    n: String(rng.int(2, 40)),
    object: rng.pick(OBJECTS),
    month: rng.pick(MONTH_NAMES),
    hour: String(rng.int(6, 18)),
  };
  const agent = rng.pick(world.staff.agents[team]);
  // The freshest tickets are sometimes still waiting for anyone to pick them up.
  const untouched = rng.chance(0.15);
  const unassigned = untouched && channel !== 'phone' && at > world.now - 3 * DAY;
  const spec: TicketSpec = {
    id: 0,
    stream,
    createdAt: at,
    customer,
    requester: requesterOf(customer, rng),
    topic,
    subject: fill(issue.subject, rng, facts),
    issue,
    facts,
    tags: [...tags].sort(), // stored like the api stores them: unique and sorted
    channel,
    priority,
    initialPriority: rng.chance(0.06) ? neighbourPriority(priority, rng) : priority,
    team,
    firstAssignee: unassigned ? null : agent,
  };
  return { ...spec, history: simulateTicket(spec, world) };
}

/** The main contact files about half of a customer's tickets. */
export function requesterOf(customer: Customer, rng: Rng): Contact {
  return rng.chance(0.5) ? customer.contacts[0] : rng.pick(customer.contacts);
}

export function neighbourPriority(priority: Priority, rng: Rng): Priority {
  const i = PRIORITIES.indexOf(priority);
  if (i === 0) return PRIORITIES[1];
  if (i === PRIORITIES.length - 1) return PRIORITIES[i - 1];
  return PRIORITIES[rng.chance(0.5) ? i - 1 : i + 1];
}
