import { Tx } from '@staydesk/core';
import { Actor, TICKET_WORKERS, validateId } from '@staydesk/identity';
import { Priority, TicketRow, UpdateTicketInput } from '@staydesk/tickets';
import { PlaceholderValues, firstName, render } from './macro-rules';
import { RuleActions, evaluate, tagsAfter } from './rule-logic';
import { CustomerFacts, RuleRow } from './rules.repository';
import { NO_CUSTOMER, FactCache } from './rule-facts';
import { RuleInput, RuleChange, RulePlan, RuleTestResult, RulesAdmin } from './rules.admin';

/** What a rule would do to a ticket (its plan), the actor it acts as, and the "test this rule" preview. */
export abstract class RulesPlanner extends RulesAdmin {
  /**
   * "Test this rule against a ticket": which conditions hold and what it would change, rendered
   * note and e-mail included, for a saved rule or an unsaved draft. Writes nothing.
   */
  async test(actor: Actor, ticketId: string, input: RuleInput): Promise<RuleTestResult> {
    this.requireManager(actor);
    validateId(ticketId, 'ticketId');
    const r = await this.validate(input);
    const t = await this.tickets.ticket(ticketId);
    const facts = new FactCache(this.repo, this.identity, t);
    const { matched, results } = evaluate(
      r.conditions,
      await facts.facts(this.tx.db, t, r.conditions),
    );
    const plan = await this.plan(this.tx.db, r.actions, t, () => facts.customer(this.tx.db), actor);
    return { matched, conditions: results, plan };
  }

  /** The changes, note, e-mail and follow-up a rule's actions mean for this ticket now. */
  protected async plan(
    tx: Tx,
    a: RuleActions,
    t: TicketRow,
    customer: () => Promise<CustomerFacts>,
    actor: Actor | null,
  ): Promise<RulePlan> {
    const changes: RuleChange[] = [];
    const update: UpdateTicketInput = {};
    const given = new Set<string>();
    if (a.priority && a.priority !== t.priority) {
      update.priority = a.priority as Priority;
      changes.push({ field: 'priority', from: t.priority, to: a.priority });
    }
    if (a.teamId !== undefined && a.teamId !== t.teamId) {
      update.teamId = a.teamId;
      given.add('teamId');
      changes.push({ field: 'team', from: t.teamId, to: a.teamId });
    }
    if (a.assigneeId !== undefined && a.assigneeId !== t.assigneeId) {
      update.assigneeId = a.assigneeId;
      given.add('assigneeId');
      changes.push({ field: 'assignee', from: t.assigneeId, to: a.assigneeId });
    }
    if (a.addTags?.length || a.removeTags?.length) {
      const tags = tagsAfter(t.tags, a);
      if (tags.join(',') !== t.tags.join(',')) {
        update.tags = tags;
        changes.push({ field: 'tags', from: t.tags.join(','), to: tags.join(',') });
      }
    }
    const assigneeId = given.has('assigneeId') ? (a.assigneeId ?? null) : t.assigneeId;
    const texts = !!(a.note || a.email || a.followUp);
    // the customer side is read only for texts, recipients and follow-up owners
    const c: CustomerFacts = texts ? await customer() : NO_CUSTOMER;
    const people = texts
      ? await this.identity.usersByIds(
          [assigneeId, c.accountManagerId].filter((x): x is string => !!x),
          tx,
        )
      : [];
    const assignee = people.find((u) => u.id === assigneeId) ?? null;
    const manager = people.find((u) => u.id === c.accountManagerId) ?? null;
    const values: PlaceholderValues = {
      'requester.first_name': firstName(c.requesterName),
      'requester.name': c.requesterName,
      'requester.email': c.requesterEmail ?? '',
      'ticket.number': String(t.number ?? t.id),
      'ticket.subject': t.subject,
      'agent.name': assignee?.name ?? '',
      'agent.first_name': firstName(assignee?.name ?? ''),
      'customer.name': c.customerName,
    };
    let email: RulePlan['email'] = null;
    if (a.email) {
      const recipient =
        a.email.to === 'requester'
          ? c.requesterEmail
          : a.email.to === 'account_manager'
            ? manager?.active
              ? manager.email
              : null
            : assignee?.active
              ? assignee.email
              : null;
      email = {
        to: a.email.to,
        recipient,
        subject: render(a.email.subject, values),
        body: render(a.email.body, values),
      };
    }
    const followUp = a.followUp
      ? {
          ownerId: c.accountManagerId ?? assigneeId ?? actor?.id ?? null,
          dueAt: new Date(Date.now() + a.followUp.inHours * 3_600_000),
          note: a.followUp.note ? render(a.followUp.note, values) : null,
        }
      : null;
    return {
      update,
      given,
      changes,
      note: a.note ? render(a.note, values) : null,
      email,
      followUp,
    };
  }

  /** Rules act as their last editor; null if that user no longer works tickets. */
  protected async ruleActor(tx: Tx, rule: RuleRow): Promise<Actor | null> {
    if (!rule.updatedById) return null;
    const [u] = await this.identity.usersByIds([rule.updatedById], tx);
    if (!u || !u.active || !TICKET_WORKERS.includes(u.role)) return null;
    return { id: u.id, role: u.role, teamId: u.teamId, teamIds: u.teamIds, name: u.name };
  }
}
