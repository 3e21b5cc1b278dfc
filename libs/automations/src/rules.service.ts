import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  AuditRepository,
  DomainError,
  TransactionRunner,
  Tx,
  badInput,
  conflict,
  forbidden,
  notFound,
} from '@staydesk/core';
import { FollowUpsService } from '@staydesk/followups';
import {
  Actor,
  IdentityService,
  TICKET_WORKERS,
  WeeklyHours,
  addBusinessMinutes,
  validateId,
} from '@staydesk/identity';
import { OutboxService } from '@staydesk/outbox';
import {
  PRIORITIES,
  Priority,
  TicketHook,
  TicketHookContext,
  TicketHooks,
  TicketRow,
  TicketsService,
  UpdateTicketInput,
  normalizeTags,
  validateBody,
} from '@staydesk/tickets';
import { PlaceholderValues, checkPlaceholders, firstName, render } from './macro-rules';
import {
  ConditionResult,
  EMAIL_RECIPIENTS,
  EmailRecipient,
  RULE_TRIGGERS,
  RuleActions,
  RuleCondition,
  RuleTrigger,
  TIME_FIELDS,
  TicketFacts,
  evaluate,
  tagsAfter,
  validateConditions,
} from './rule-logic';
import { CustomerFacts, EditorRow, NewRule, RuleRow, RulesRepository } from './rules.repository';

export interface RuleInput {
  name: string;
  trigger: string;
  conditions?: { field: string; operator: string; values?: string[] | null }[] | null;
  actions?: RuleActionsFields | null;
  active?: boolean | null;
  stopProcessing?: boolean | null;
}

export interface RuleActionsFields {
  teamId?: string | null;
  assigneeId?: string | null;
  priority?: string | null;
  addTags?: string[] | null;
  removeTags?: string[] | null;
  note?: string | null;
  emailTo?: string | null;
  emailSubject?: string | null;
  emailBody?: string | null;
  followUpInHours?: number | null;
  followUpNote?: string | null;
}

export interface RuleChange {
  field: string;
  from: string | null;
  to: string | null;
}

/** What a rule would do to a ticket now (also what it does when it runs). */
export interface RulePlan {
  update: UpdateTicketInput;
  given: Set<string>;
  changes: RuleChange[];
  note: string | null;
  email: { to: EmailRecipient; recipient: string | null; subject: string; body: string } | null;
  followUp: { ownerId: string | null; dueAt: Date; note: string | null } | null;
}

export interface RuleTestResult {
  matched: boolean;
  conditions: ConditionResult[];
  plan: RulePlan;
}

/** Passes of "updated" rules after the triggering change before the loop guard stops them. */
export const MAX_RULE_PASSES = 5;
const TIME_BATCH = 200;

/**
 * Automation rules: stored and versioned, run in order inside the transaction of the change
 * that triggered them (a hook the tickets service calls), each firing leaving a `rule_applied`
 * event naming the rule and its version. Time-based rules are run by the worker's scan.
 */
@Injectable()
export class RulesService implements TicketHook, OnModuleInit {
  /** Transactions in which rules are running: changes the rules make do not re-enter. */
  private readonly running = new WeakSet<object>();
  /**
   * This process's copy of the active change rules, valid while `automation_rules_state.version`
   * (bumped in the same transaction as any write to the rules) still has this value.
   */
  private cache: { version: string; rules: (RuleRow & { editor: EditorRow | null })[] } | null =
    null;

  constructor(
    private readonly repo: RulesRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditRepository,
    private readonly identity: IdentityService,
    private readonly tickets: TicketsService,
    private readonly hooks: TicketHooks,
    private readonly outbox: OutboxService,
    private readonly followups: FollowUpsService,
    @InjectPinoLogger(RulesService.name) private readonly logger: PinoLogger,
  ) {}

  onModuleInit() {
    this.hooks.register(this);
  }

  // ---- management (admins and team leads) ----

  async list(actor: Actor): Promise<RuleRow[]> {
    this.requireManager(actor);
    return this.repo.list(this.tx.db);
  }

  async rule(actor: Actor, id: string): Promise<RuleRow> {
    this.requireManager(actor);
    const r = await this.repo.byId(this.tx.db, validateId(id));
    if (!r) throw notFound('automation rule', id);
    return r;
  }

  async versions(actor: Actor, id: string) {
    await this.rule(actor, id);
    return this.repo.versions(this.tx.db, id);
  }

  async create(actor: Actor, input: RuleInput): Promise<RuleRow> {
    this.requireManager(actor);
    const r = await this.validate(input);
    return this.tx.run(async (tx) => {
      const saved = await this.repo.insert(tx, r, actor.id);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'automation_rule.create',
        entity: 'automation_rule',
        entityId: saved.id,
        details: { name: saved.name, trigger: saved.trigger, version: saved.version },
      });
      return saved;
    });
  }

  async update(
    actor: Actor,
    id: string,
    input: RuleInput,
    expectedVersion: number | null | undefined,
  ): Promise<RuleRow> {
    this.requireManager(actor);
    validateId(id);
    const r = await this.validate(input);
    return this.tx.run(async (tx) => {
      const before = await this.repo.lock(tx, id);
      if (!before) throw notFound('automation rule', id);
      if (expectedVersion != null && expectedVersion !== before.version)
        throw conflict(
          `rule ${id} was changed by someone else (version ${before.version}, you had ${expectedVersion}); reload it and try again`,
          { field: 'expectedVersion', currentVersion: before.version },
        );
      const saved = await this.repo.update(tx, id, r, actor.id);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'automation_rule.update',
        entity: 'automation_rule',
        entityId: id,
        details: { name: saved.name, version: saved.version },
      });
      return saved;
    });
  }

  async delete(actor: Actor, id: string): Promise<boolean> {
    this.requireManager(actor);
    validateId(id);
    return this.tx.run(async (tx) => {
      const before = await this.repo.lock(tx, id);
      if (!before) throw notFound('automation rule', id);
      await this.repo.softDelete(tx, id, actor.id);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'automation_rule.delete',
        entity: 'automation_rule',
        entityId: id,
        details: { name: before.name, version: before.version },
      });
      return true;
    });
  }

  /** Sets the order of one trigger's rules: `ids` lists all of them exactly once. */
  async reorder(actor: Actor, trigger: string, ids: string[]): Promise<RuleRow[]> {
    this.requireManager(actor);
    if (!RULE_TRIGGERS.includes(trigger as RuleTrigger))
      throw badInput('trigger', `must be one of ${RULE_TRIGGERS.join(', ')}`);
    ids.forEach((id) => validateId(id, 'ids'));
    return this.tx.run(async (tx) => {
      const current = (await this.repo.list(tx)).filter((r) => r.trigger === trigger);
      const want = new Set(ids);
      if (
        want.size !== ids.length ||
        current.length !== ids.length ||
        current.some((r) => !want.has(r.id))
      )
        throw badInput('ids', `list every ${trigger} rule exactly once (${current.length} rules)`);
      await this.repo.reorder(tx, ids);
      await this.audit.record(tx, {
        actorId: actor.id,
        action: 'automation_rule.reorder',
        entity: 'automation_rule',
        entityId: ids[0] ?? '0',
        details: { trigger, ids },
      });
      return (await this.repo.list(tx)).filter((r) => r.trigger === trigger);
    });
  }

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

  // ---- running ----

  /** The tickets service's hook: runs the trigger's rules inside the changing transaction. */
  async afterChange(tx: Tx, ctx: TicketHookContext): Promise<void> {
    if (this.running.has(tx)) return;
    this.running.add(tx);
    try {
      await this.runRules(tx, ctx.ticketId, ctx.trigger);
    } finally {
      this.running.delete(tx);
    }
  }

  /**
   * Pass 1 runs the trigger's rules in order; if they changed the ticket, the "ticket updated"
   * rules run again on the result, up to MAX_RULE_PASSES passes. A rule with `stopProcessing`
   * ends the run. If the last pass still changed something the rules are undoing each other:
   * the run stops and a `rules_loop_stopped` event says so.
   */
  private async runRules(tx: Tx, ticketId: string, trigger: RuleTrigger, only?: RuleRow) {
    const once = new Set<string>();
    const actors = new Map<string, Promise<Actor | null>>();
    const actorOf = (rule: RuleRow & { editor?: EditorRow | null }) => {
      if (rule.editor !== undefined) return Promise.resolve(actorFromEditor(rule.editor));
      const key = rule.updatedById ?? '';
      if (!actors.has(key)) actors.set(key, this.ruleActor(tx, rule));
      return actors.get(key)!;
    };
    let all: (RuleRow & { editor: EditorRow | null })[] | null = null;
    const rulesOf = async (tr: RuleTrigger) => {
      all ??= await this.activeRules(tx);
      return all.filter((r) => r.trigger === tr);
    };
    let t: TicketRow | null = null;
    let facts: FactCache | null = null;
    for (let pass = 1; pass <= MAX_RULE_PASSES; pass++) {
      const rules: RuleRow[] =
        only && pass === 1 ? [only] : await rulesOf(pass === 1 ? trigger : 'ticket_updated');
      if (!rules.length) return;
      t ??= await this.tickets.lockForChange(tx, ticketId);
      facts ??= new FactCache(this.repo, this.identity, t);
      let changed = false;
      let stop = false;
      const fired: string[] = [];
      // each rule sees what the rules before it did (`virtual`); the writes of consecutive rules
      // with the same acting user are made together (one update, one batch of events)
      let virtual: TicketRow = t;
      let batch: Batch | null = null;
      const flush = async () => {
        if (!batch) return;
        const b: Batch = batch;
        batch = null;
        t =
          (await this.writeBatch(tx, t!, virtual, b, facts!, once)) ??
          (await this.tickets.lockForChange(tx, ticketId));
        virtual = t;
      };
      for (const rule of rules) {
        if (!(only && pass === 1) && !(await facts.matches(tx, virtual, rule.conditions))) continue;
        const actor = await actorOf(rule);
        const f = facts;
        const plan = await this.plan(tx, rule.actions, virtual, () => f.customer(tx), actor);
        const doOnce = !once.has(rule.id);
        const anything =
          plan.changes.length > 0 || (doOnce && !!(plan.note || plan.email || plan.followUp));
        if (anything) {
          if (batch && (batch as Batch).actor?.id !== actor?.id) await flush();
          batch ??= { actor, items: [] };
          (batch as Batch).items.push({ rule, plan, doOnce });
          once.add(rule.id);
          fired.push(`${rule.name} (v${rule.version})`);
          if (plan.changes.length) {
            changed = true;
            virtual = applyInMemory(virtual, plan);
          }
        }
        if (anything && rule.stopProcessing) {
          stop = true;
          break;
        }
      }
      await flush();
      if (!changed || stop) return;
      if (pass === MAX_RULE_PASSES) {
        await this.tickets.recordEventsInTx(tx, [
          {
            ticketId,
            actorId: null,
            type: 'rules_loop_stopped',
            fromValue: `${MAX_RULE_PASSES} passes`,
            toValue: fired.join(', ').slice(0, 1000),
            createdAt: new Date(),
          },
        ]);
        this.logger.warn(
          { ticketId, rules: fired },
          'automation rules keep changing each other: stopped',
        );
      }
    }
  }

  /**
   * The active change rules, from this process's cache unless the version counter moved: one
   * primary-key read per change. The counter is read in the changing transaction, so a rule
   * saved by any api process (committed before this statement) is seen by the next change here.
   * Each rule comes with its last editor (the user it acts as); a change to a user's name, role,
   * team or active flag moves the counter too.
   */
  private async activeRules(tx: Tx): Promise<(RuleRow & { editor: EditorRow | null })[]> {
    const version = await this.repo.activeVersion(tx);
    if (this.cache?.version === version) return this.cache.rules;
    // read after the counter: rules changed in between are newer than `version`, and the next
    // change sees the counter moved and reads them again
    const rules = await this.repo.activeForChanges(tx);
    this.cache = { version, rules };
    return rules;
  }

  /**
   * Writes what a run of matching rules decided: their `rule_applied` events, the ticket's new
   * fields in one `updateInTx` (from `before` to `after`), then each rule's note, e-mail and
   * follow-up, all inside one savepoint. If that fails (a rule whose assignee was deactivated, a
   * private team's ticket), it is undone and the rules are applied one by one, each in its own
   * savepoint, so only the failing rule is left out.
   */
  private async writeBatch(
    tx: Tx,
    before: TicketRow,
    after: TicketRow,
    b: Batch,
    facts: FactCache,
    once: Set<string>,
  ): Promise<TicketRow | null> {
    if (!b.actor) {
      await this.ruleEvents(
        tx,
        before.id,
        b.items.map((i) => [
          i.rule,
          `${i.rule.name}: skipped, its last editor no longer works tickets`,
        ]),
      );
      return before;
    }
    // (released at commit: one round trip less per change than RELEASE SAVEPOINT)
    await tx.query(`SAVEPOINT automation_rules`);
    try {
      await this.ruleEvents(
        tx,
        before.id,
        b.items.map((i) => [i.rule, i.rule.name]),
      );
      const update: UpdateTicketInput = {};
      const given = new Set<string>();
      if (after.priority !== before.priority) update.priority = after.priority;
      if (after.teamId !== before.teamId) {
        update.teamId = after.teamId;
        given.add('teamId');
      }
      if (after.assigneeId !== before.assigneeId) {
        update.assigneeId = after.assigneeId;
        given.add('assigneeId');
      }
      if (after.tags.join(',') !== before.tags.join(',')) update.tags = after.tags;
      let saved: TicketRow | null = before;
      if (Object.keys(update).length)
        saved = await this.tickets.updateInTx(tx, b.actor, before.id, update, given);
      for (const i of b.items) {
        if (!i.doOnce) continue;
        await this.sideEffects(tx, b.actor, before, i);
        if (i.plan.note) saved = null; // the note moved the ticket's version on
      }
      return saved;
    } catch (err) {
      await tx.query(`ROLLBACK TO SAVEPOINT automation_rules`);
      if (!(err instanceof DomainError)) this.logger.warn({ err }, 'rule batch failed, one by one');
      for (const i of b.items) {
        if (i.doOnce) once.delete(i.rule.id);
        const t = await this.tickets.lockForChange(tx, before.id);
        await this.fire(tx, i.rule, t, facts, once);
      }
      return null;
    }
  }

  private ruleEvents(tx: Tx, ticketId: string, items: [RuleRow, string][]) {
    const now = new Date();
    return this.tickets.recordEventsInTx(
      tx,
      items.map(([rule, toValue]) => ({
        ticketId,
        actorId: null,
        type: 'rule_applied',
        fromValue: `rule ${rule.id} v${rule.version}`,
        toValue: toValue.slice(0, 1000),
        createdAt: now,
      })),
    );
  }

  /** A rule's note, e-mail and follow-up (once per change). */
  private async sideEffects(
    tx: Tx,
    actor: Actor,
    t: TicketRow,
    i: { rule: RuleRow; plan: RulePlan },
  ) {
    const { rule, plan } = i;
    if (plan.note) await this.tickets.addMessageInTx(tx, actor, t.id, 'internal_note', plan.note);
    if (plan.email?.recipient) {
      await this.queueMail(tx, {
        ticketId: t.id,
        ruleId: rule.id,
        kind: 'rule',
        recipient: plan.email.recipient,
        subject: plan.email.subject,
        body: plan.email.body,
      });
    }
    if (plan.followUp?.ownerId) {
      await this.followups.openForOwner(tx, {
        customerId: t.customerId,
        ticketId: t.id,
        ownerId: plan.followUp.ownerId,
        kind: 'custom',
        dueAt: plan.followUp.dueAt,
        note: plan.followUp.note ?? `Follow-up from rule "${rule.name}"`,
        createdById: null,
      });
    }
  }

  /**
   * Applies one matching rule as its last editor (an admin or lead accountable for it), inside a
   * savepoint: a rule that cannot act (e.g. its assignee was deactivated) is rolled back alone
   * and noted in history, never failing the change that triggered it.
   */
  private async fire(
    tx: Tx,
    rule: RuleRow,
    t: TicketRow,
    facts: FactCache,
    once: Set<string>,
  ): Promise<{ fired: boolean; changed: boolean }> {
    const actor = await this.ruleActor(tx, rule);
    const plan = await this.plan(tx, rule.actions, t, () => facts.customer(tx), actor);
    const doOnce = !once.has(rule.id);
    const anything =
      plan.changes.length > 0 || (doOnce && (plan.note || plan.email || plan.followUp));
    if (!anything) return { fired: false, changed: false };
    once.add(rule.id);
    if (!actor) {
      await this.ruleEvents(tx, t.id, [
        [rule, `${rule.name}: skipped, its last editor no longer works tickets`],
      ]);
      return { fired: true, changed: false };
    }
    await tx.query(`SAVEPOINT automation_rule`);
    try {
      await this.ruleEvents(tx, t.id, [[rule, rule.name]]);
      if (plan.changes.length)
        await this.tickets.updateInTx(tx, actor, t.id, plan.update, plan.given);
      if (doOnce) await this.sideEffects(tx, actor, t, { rule, plan });
      await tx.query(`RELEASE SAVEPOINT automation_rule`);
      return { fired: true, changed: plan.changes.length > 0 };
    } catch (err) {
      await tx.query(`ROLLBACK TO SAVEPOINT automation_rule`);
      const why = err instanceof DomainError ? err.message : 'internal error';
      if (!(err instanceof DomainError))
        this.logger.error({ err, ruleId: rule.id }, 'automation rule failed');
      await this.ruleEvents(tx, t.id, [[rule, `${rule.name}: failed, ${why}`]]);
      return { fired: true, changed: false };
    }
  }

  /** An automatic e-mail: a row in `automation_mails` plus an outbox event; the worker sends it. */
  async queueMail(
    tx: Tx,
    m: {
      ticketId: string;
      ruleId: string | null;
      kind: 'rule' | 'merge_notice';
      recipient: string;
      subject: string;
      body: string;
    },
  ): Promise<string> {
    const mailId = await this.repo.insertMail(tx, m);
    await this.outbox.record(tx, {
      type: 'automation.mail_queued',
      payload: { mailId, ticketId: m.ticketId },
    });
    return mailId;
  }

  /** The changes, note, e-mail and follow-up a rule's actions mean for this ticket now. */
  private async plan(
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
  private async ruleActor(tx: Tx, rule: RuleRow): Promise<Actor | null> {
    if (!rule.updatedById) return null;
    const [u] = await this.identity.usersByIds([rule.updatedById], tx);
    if (!u || !u.active || !TICKET_WORKERS.includes(u.role)) return null;
    return { id: u.id, role: u.role, teamId: u.teamId, teamIds: u.teamIds, name: u.name };
  }

  // ---- time-based rules (worker) ----

  /**
   * Every active time-based rule: set-based SQL finds the tickets whose clock passed the
   * threshold in a period the rule has not fired in; each is claimed in
   * `automation_rule_firings` (once per rule, ticket and period, whatever the number of
   * workers) and, if the other conditions hold, the rule's actions run in that transaction.
   */
  async timeScan(): Promise<{ fired: number }> {
    let fired = 0;
    for (const rule of await this.repo.active(this.tx.db, 'time')) {
      const clock = rule.conditions.find((c) => TIME_FIELDS.includes(c.field));
      if (!clock) continue;
      const candidates = await this.repo.timeCandidates(
        this.tx.db,
        rule.id,
        clock.field as 'pending_hours' | 'unanswered_minutes',
        Number(clock.values[0]),
        TIME_BATCH,
      );
      for (const c of candidates) {
        const did = await this.tx.run(async (tx) => {
          const t = await this.tickets.lockForChange(tx, c.ticketId);
          const facts = new FactCache(this.repo, this.identity, t);
          if (!evaluate(rule.conditions, await facts.facts(tx, t, rule.conditions)).matched)
            return false;
          if (!(await this.repo.claimFiring(tx, rule.id, t.id, c.period))) return false;
          this.running.add(tx);
          try {
            await this.runRules(tx, t.id, 'time', rule);
          } finally {
            this.running.delete(tx);
          }
          return true;
        });
        if (did) fired++;
      }
    }
    return { fired };
  }

  // ---- validation ----

  private async validate(input: RuleInput): Promise<NewRule> {
    const name = input.name.trim();
    if (!name || name.length > 100) throw badInput('name', 'must be 1 to 100 characters');
    if (!RULE_TRIGGERS.includes(input.trigger as RuleTrigger))
      throw badInput('trigger', `must be one of ${RULE_TRIGGERS.join(', ')}`);
    const trigger = input.trigger as RuleTrigger;
    const conditions = validateConditions(trigger, input.conditions ?? []);
    for (const [i, c] of conditions.entries()) {
      if (c.field.startsWith('custom.')) {
        const rows: unknown[] = await this.tx.db.query(
          `SELECT 1 FROM custom_field_definitions WHERE entity = 'ticket' AND key = $1`,
          [c.field.slice(7)],
        );
        if (!rows.length)
          throw badInput(
            `conditions[${i}].field`,
            `there is no ticket field "${c.field.slice(7)}"`,
          );
      }
      if (c.field === 'team') {
        const teams = await this.identity.teamsByIds(c.values);
        const missing = c.values.find((v) => !teams.some((t) => t.id === v));
        if (missing) throw notFound('team', missing);
      }
    }
    const a = input.actions ?? {};
    const actions: RuleActions = {};
    if (a.priority != null) {
      if (!PRIORITIES.includes(a.priority as Priority))
        throw badInput('actions.priority', `must be one of ${PRIORITIES.join(', ')}`);
      actions.priority = a.priority;
    }
    if (a.teamId != null) {
      const [team] = await this.identity.teamsByIds([validateId(a.teamId, 'actions.teamId')]);
      if (!team) throw notFound('team', a.teamId);
      actions.teamId = team.id;
    }
    if (a.assigneeId != null) {
      const [u] = await this.identity.usersByIds([validateId(a.assigneeId, 'actions.assigneeId')]);
      if (!u) throw notFound('user', a.assigneeId);
      if (!u.active || !TICKET_WORKERS.includes(u.role))
        throw badInput('actions.assigneeId', `user ${u.id} does not work tickets`);
      actions.assigneeId = u.id;
    }
    if (a.addTags?.length) actions.addTags = normalizeTags(a.addTags, 'actions.addTags');
    if (a.removeTags?.length)
      actions.removeTags = normalizeTags(a.removeTags, 'actions.removeTags');
    if (a.note != null && a.note.trim()) {
      actions.note = validateBody(a.note, 'actions.note');
      checkPlaceholders(actions.note, 'actions.note');
    }
    const anyEmail = a.emailTo != null || a.emailSubject != null || a.emailBody != null;
    if (anyEmail) {
      if (!EMAIL_RECIPIENTS.includes(a.emailTo as EmailRecipient))
        throw badInput('actions.emailTo', `must be one of ${EMAIL_RECIPIENTS.join(', ')}`);
      const subject = (a.emailSubject ?? '').trim();
      if (!subject || subject.length > 200)
        throw badInput('actions.emailSubject', 'an e-mail needs a subject of 1 to 200 characters');
      checkPlaceholders(subject, 'actions.emailSubject');
      const body = validateBody(a.emailBody ?? '', 'actions.emailBody');
      checkPlaceholders(body, 'actions.emailBody');
      actions.email = { to: a.emailTo as EmailRecipient, subject, body };
    }
    if (a.followUpInHours != null || a.followUpNote != null) {
      const h = a.followUpInHours ?? 24;
      if (!Number.isInteger(h) || h < 0 || h > 24 * 365)
        throw badInput('actions.followUpInHours', 'must be a whole number of hours from 0 to 8760');
      const note = a.followUpNote?.trim() || null;
      if (note) {
        validateBody(note, 'actions.followUpNote');
        checkPlaceholders(note, 'actions.followUpNote');
      }
      actions.followUp = { inHours: h, note };
    }
    if (Object.keys(actions).length === 0)
      throw badInput('actions', 'a rule needs at least one action');
    return {
      name,
      trigger,
      conditions,
      actions,
      active: input.active ?? true,
      stopProcessing: input.stopProcessing ?? false,
    };
  }

  private requireManager(actor: Actor) {
    if (actor.role !== 'admin' && actor.role !== 'team_lead')
      throw forbidden('only admins and team leads manage automation rules');
  }
}

const NO_CUSTOMER: CustomerFacts = {
  tier: '',
  riskBand: null,
  accountManagerId: null,
  customerName: '',
  requesterName: '',
  requesterEmail: null,
};

function actorFromEditor(e: EditorRow | null): Actor | null {
  if (!e || !e.active || !TICKET_WORKERS.includes(e.role as Actor['role'])) return null;
  return {
    id: e.id,
    role: e.role as Actor['role'],
    teamId: e.teamId,
    teamIds: e.teamIds ?? [],
    name: e.name,
  };
}

interface Batch {
  actor: Actor | null;
  items: { rule: RuleRow; plan: RulePlan; doOnce: boolean }[];
}

/** The ticket as a rule's changes leave it (the next rule in the pass sees this). */
function applyInMemory(t: TicketRow, plan: RulePlan): TicketRow {
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
class FactCache {
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
