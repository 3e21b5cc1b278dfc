/** What a rule run reads about a ticket and its customer (loaded once per run), and small helpers of the run. */
import { Tx } from '@staydesk/core';
import {
  Actor,
  IdentityService,
  TICKET_WORKERS,
  WeeklyHours,
  addBusinessMinutes,
} from '@staydesk/identity';
import { TicketRow } from '@staydesk/tickets';
import { RuleCondition, TicketFacts, evaluate } from './rule-logic';
import { CustomerFacts, EditorRow, RuleRow, RulesRepository } from './rules.repository';
import { RulePlan } from './rules.admin';

export const NO_CUSTOMER: CustomerFacts = {
  tier: '',
  riskBand: null,
  accountManagerId: null,
  customerName: '',
  requesterName: '',
  requesterEmail: null,
};

export function actorFromEditor(e: EditorRow | null): Actor | null {
  if (!e || !e.active || !TICKET_WORKERS.includes(e.role as Actor['role'])) return null;
  return {
    id: e.id,
    role: e.role as Actor['role'],
    teamId: e.teamId,
    teamIds: e.teamIds ?? [],
    name: e.name,
  };
}

export interface Batch {
  actor: Actor | null;
  items: { rule: RuleRow; plan: RulePlan; doOnce: boolean }[];
}

/** The ticket as a rule's changes leave it (the next rule in the pass sees this). */
export function applyInMemory(t: TicketRow, plan: RulePlan): TicketRow {
  const u = plan.update;
  return {
    ...t,
    priority: u.priority ?? t.priority,
    teamId: plan.given.has('teamId') ? (u.teamId ?? null) : t.teamId,
    assigneeId: plan.given.has('assigneeId') ? (u.assigneeId ?? null) : t.assigneeId,
    tags: u.tags ?? t.tags,
  };
}

/** The facts of one ticket for rules, customer side loaded once per run, the rest on demand. */
export class FactCache {
  private customerFacts: CustomerFacts | null = null;
  private text: { subject: string; value: string } | null = null;
  private hours = new Map<string, { timezone: string | null; businessHours: WeeklyHours | null }>();

  constructor(
    private readonly repo: RulesRepository,
    private readonly identity: IdentityService,
    private readonly first: TicketRow,
  ) {}

  async customer(tx: Tx): Promise<CustomerFacts> {
    this.customerFacts ??= await this.repo.customerFacts(
      tx,
      this.first.customerId,
      this.first.requesterId,
    );
    return this.customerFacts;
  }

  /**
   * Whether every condition holds, cheapest first, stopping at the first that fails: the
   * customer, the latest message and the calendar are read only when a condition gets to them.
   */
  async matches(tx: Tx, t: TicketRow, conditions: RuleCondition[]): Promise<boolean> {
    const cost = (c: RuleCondition) =>
      ['tier', 'risk_band'].includes(c.field)
        ? 1
        : c.field === 'words'
          ? 2
          : c.field === 'business_hours'
            ? 3
            : 0;
    for (const c of [...conditions].sort((a, b) => cost(a) - cost(b))) {
      const f = await this.facts(tx, t, [c], cost(c) === 1);
      if (!evaluate([c], f).matched) return false;
    }
    return true;
  }

  /** `conditions`: what will be evaluated (the message and the calendar are read only if asked). */
  async facts(
    tx: Tx,
    t: TicketRow,
    conditions: RuleCondition[],
    needsCustomer = true,
  ): Promise<TicketFacts> {
    const c: Pick<CustomerFacts, 'tier' | 'riskBand'> =
      needsCustomer || this.customerFacts
        ? await this.customer(tx)
        : { tier: '(not read)', riskBand: null };
    const needsText = conditions.some((x) => x.field === 'words');
    const needsHours = conditions.some((x) => x.field === 'business_hours');
    if (needsText && (!this.text || this.text.subject !== t.subject)) {
      const body = await this.repo.lastCustomerMessage(tx, t.id);
      this.text = { subject: t.subject, value: `${t.subject}\n${body}` };
    }
    if (needsHours && t.teamId && !this.hours.has(t.teamId)) {
      const [team] = await this.identity.teamsByIds([t.teamId], tx);
      this.hours.set(t.teamId, {
        timezone: team?.timezone ?? null,
        businessHours: (team?.businessHours as WeeklyHours | null) ?? null,
      });
    }
    return {
      channel: t.channel,
      priority: t.priority,
      status: t.status,
      tier: c.tier,
      riskBand: c.riskBand,
      customerId: t.customerId,
      teamId: t.teamId,
      tags: t.tags,
      text: this.text?.value ?? t.subject,
      withinBusinessHours: needsHours ? this.withinSync(t) : true,
      customFields: t.customFields ?? {},
    };
  }

  private withinSync(t: TicketRow): boolean {
    const cal = t.teamId ? this.hours.get(t.teamId) : null;
    if (!cal?.timezone || !cal.businessHours) return true;
    const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
    return addBusinessMinutes(now, 0, cal.timezone, cal.businessHours).getTime() === now.getTime();
  }
}
