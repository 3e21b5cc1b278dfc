/**
 * The simulated helpdesk world behind `npm run seed:demo`, `npm run data:generate` and the bench
 * (`seed:demo [-- --customers 200 --tickets 5000 --months 12 --seed 42 --force]`).
 *
 * Fills an empty database with a small, realistic helpdesk world for demos and local work:
 * teams and staff, customers with contacts, months of tickets with their full message and event
 * history, SLA outcomes, churn, follow-ups. The world is simulated in memory with a seeded PRNG
 * (mulberry32; every ticket has its own stream), so the same flags give the same world, with
 * timestamps relative to "now". It is then written with set-based
 * `INSERT … SELECT FROM unnest($1::…[], …)` in batches, all in ONE transaction: either the whole
 * world is there or nothing changed. A database that already has customers is left alone
 * unless --force, which first empties every support-desk table.
 *
 * Simulation model
 * ----------------
 * - Arrivals: ticket times are uniform over the last --months months, thinned at night and on
 *   weekends. A ticket goes to a customer that had signed up by then, weighted by tier (free 0.5,
 *   starter 1, pro 2, enterprise 4) times a log-normal per-customer activity, so a few customers
 *   file most tickets. Topic decides the team (billing → Billing; bug, outage, integration →
 *   Technical; the rest → Tier 1) and an agent of that team is assigned.
 * - Every customer has a hidden `mood` in [0, 1] (most near 0): how hard they are to please. It
 *   raises the chance of angry messages (scored with sentimentOf) and of reopening solved tickets.
 * - A ticket's life is a small state machine driven by log-normal delays scaled by the SLA target,
 *   priority and channel: new → open when an agent picks it up, then every agent reply either
 *   solves it (open → solved), asks the customer something (open → pending; the answer moves it
 *   back pending → open, or the customer goes silent and the agent solves it, pending → solved),
 *   or parks it while engineering looks (open → on_hold → open). A solved ticket is reopened by
 *   an unhappy customer (solved → open) or closes automatically ~4 days later (solved → closed).
 *   The clock stops at "now": what would happen later has not happened yet, so recent tickets
 *   form the live queue.
 * - Events are written the way the api writes them (`created`, `status_changed`, a
 *   `first_response` at the first public reply, some `priority_changed` at pickup and
 *   `assignee_changed` by a team lead). The ticket row (status, first_response_at, solved_at,
 *   counters, SLA flags, next_due_at, …) is derived from the simulated events and messages by one
 *   function, `ticketColumns`, never tracked on the side, so rows and history always agree; the
 *   SLA flags use the api's own rules (slaBreaches, nextDueAt from @staydesk/tickets).
 *
 * - Surveys: a CSAT survey after most first solves (a third answered, the rating falling with
 *   breaches, reopens, angry messages and the customer's mood), some with a CES rating, and a
 *   quarterly NPS for the main contact (see generateSurveys).
 *
 * Churn model
 * -----------
 * From its simulated tickets each customer gets a service "pain" score
 *   pain = mean(share of its tickets that breached an SLA, share of its tickets reopened,
 *               share of its messages with negative sentiment) + tier bonus (free 0.15, starter 0.05)
 * and a constant monthly churn hazard h = logistic(-5.3 + 4·pain + 0.7·ε), ε ~ N(0, 1): service
 * experience drives churn, the noise (price, product, chance) keeps it from being a formula. The
 * hazard applies from 60 days after sign-up until "now" (sign-ups reach three years back), and the
 * churn moment is drawn from it (exponential waiting time), so the world's monthly churn *rate*
 * is flat over time (about 1.5 % a month, ~4.5 % per 90 days); monthly churn *counts* grow with
 * the customer base. Each customer's h and its start are written to `simulation_oracle`, so
 * risk:backtest can report how well the truth itself ranks (the scorer never reads it). Tickets
 * the simulation had placed after a churn are handed to other customers and simulated again, so
 * a churned customer files nothing once gone. One or two early churners are won back later
 * (churned → active, two status-change rows).
 *
 * Modules, by concern: rng (seeded streams), catalog (the world's vocabulary: tiers, topics,
 * teams, names), model (the in-memory world's types and helpers), customers (customers, contacts,
 * who files a ticket), tickets (arrivals), ticket-life (a ticket's life: agents' replies and the
 * customer's messages and mood), messages (texts and their sentiment), sla (the ticket row and its
 * SLA flags derived from the history), staff (teams, agents, SLA policies), churn (pain, hazard,
 * churn times, hand-over), follow-ups, surveys, writer (bulk writes), flags (command line) and
 * seed (the run).
 */
export * from './catalog';
export * from './churn';
export * from './customers';
export * from './flags';
export * from './follow-ups';
export * from './messages';
export * from './model';
export * from './rng';
export * from './seed';
export * from './sla';
export * from './staff';
export * from './surveys';
export * from './ticket-life';
export * from './tickets';
export * from './writer';
