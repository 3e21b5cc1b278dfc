// Over 400 lines on purpose: one rule run (passes, grouping by editor, stopProcessing, the loop guard) and its entry points share the run's state; the fold before an insert is rules.fold.ts, the admin side rules.admin.ts.
import { Injectable, OnModuleInit } from '@nestjs/common';
import type { RawBuilder } from 'kysely';
import { DomainError, Tx } from '@staydesk/core';
import { Actor } from '@staydesk/identity';
import {
  CachedFold,
  CreateFold,
  TicketDraft,
  TicketHook,
  TicketHookContext,
  TicketRow,
  UpdateTicketInput,
} from '@staydesk/tickets';
import { RuleTrigger, TIME_FIELDS, evaluate } from './rule-logic';
import { AutomationMailRow, EditorRow, RuleRow } from './rules.repository';
import { actorFromEditor, Batch, applyInMemory, FactCache } from './rule-facts';
import { RulePlan } from './rules.admin';
import { RulesPlanner } from './rules.plan';
import { foldCreation, ruleApplied, skippedWithoutEditor } from './rules.fold';

export type {
  RuleInput,
  RuleActionsFields,
  RuleChange,
  RulePlan,
  RuleTestResult,
} from './rules.admin';

/** Passes of "updated" rules after the triggering change before the loop guard stops them. */
export const MAX_RULE_PASSES = 5;
const TIME_BATCH = 200;

/**
 * Automation rules: stored and versioned, run in order inside the transaction of the change
 * that triggered them (a hook the tickets service calls), each firing leaving a `rule_applied`
 * event naming the rule and its version. Time-based rules are run by the worker's scan.
 * Management (create, update, reorder …) is in rules.admin.ts, the facts a run reads in rule-facts.ts.
 */
@Injectable()
export class RulesService extends RulesPlanner implements TicketHook, OnModuleInit {
  /** Transactions in which rules are running: changes the rules make do not re-enter. */
  private readonly running = new WeakSet<object>();
  /**
   * This process's copy of the active change rules, valid while `automation_rules_state.version`
   * (bumped in the same transaction as any write to the rules) still has this value.
   */
  private cache: {
    version: string;
    rules: (RuleRow & { editor: EditorRow | null })[];
    /** `versionIs(version)`, one object per cached state (createTicket compiles per object) */
    current?: RawBuilder<boolean>;
  } | null = null;
  /** Transactions running a batch of changes → the rules version their first change read. */
  private readonly batchVersions = new WeakMap<Tx, string>();

  onModuleInit() {
    this.hooks.register(this);
  }

  /** The tickets service's hook: runs the trigger's rules inside the changing transaction. */
  async afterChange(tx: Tx, ctx: TicketHookContext): Promise<void> {
    if (this.running.has(tx)) return;
    this.running.add(tx);
    try {
      await this.runRules(tx, ctx.ticketId, ctx.trigger, undefined, ctx.batch === true);
    } finally {
      this.running.delete(tx);
    }
  }

  /**
   * The tickets service's hook before a new ticket's insert: the creation run decided on the
   * draft's own facts (rules.fold.ts), for the insert to write; null (the run happens after the
   * insert, as for any change) when a rule needs more than the draft or does more than tag.
   */
  async beforeCreate(tx: Tx, draft: TicketDraft): Promise<CreateFold | null> {
    if (this.running.has(tx)) return null;
    return foldCreation(await this.activeRules(tx), draft, MAX_RULE_PASSES);
  }

  /**
   * `beforeCreate` on this process's cached rules, without reading the version counter: valid
   * while the counter still has the cached value, which createTicket's insert checks in its own
   * statement (a rule saved and committed before that statement is seen, as with the read in the
   * transaction). Null before the first read of the rules.
   */
  foldFromCache(draft: TicketDraft): CachedFold | null {
    const cached = this.cache;
    if (!cached) return null;
    const fold = foldCreation(cached.rules, draft, MAX_RULE_PASSES);
    return fold
      ? { fold, current: (cached.current ??= this.repo.versionIs(cached.version)) }
      : null;
  }

  /**
   * Pass 1 runs the trigger's rules in order; if they changed the ticket, the "ticket updated"
   * rules run again on the result, up to MAX_RULE_PASSES passes. A rule with `stopProcessing`
   * ends the run. If the last pass still changed something the rules are undoing each other:
   * the run stops and a `rules_loop_stopped` event says so.
   */
  private async runRules(
    tx: Tx,
    ticketId: string,
    trigger: RuleTrigger,
    only?: RuleRow,
    filingBatch = false,
  ) {
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
      all ??= await this.activeRules(tx, filingBatch);
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
   * team or active flag moves the counter too. In a batch of changes (`batch`: a filing batch of
   * inbound mail, which writes neither rules nor users) the counter is read at the batch's first
   * change only: a rule saved while the batch runs applies from the next batch.
   */
  private async activeRules(
    tx: Tx,
    batch = false,
  ): Promise<(RuleRow & { editor: EditorRow | null })[]> {
    const cached = this.cache;
    if (batch && cached && this.batchVersions.get(tx) === cached.version) return cached.rules;
    const version = await this.repo.activeVersion(tx);
    if (batch) this.batchVersions.set(tx, version);
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
        b.items.map((i) => [i.rule, skippedWithoutEditor(i.rule)]),
      );
      return before;
    }
    // (released at commit: one round trip less per change than RELEASE SAVEPOINT)
    await this.repo.savepoint(tx, 'automation_rules');
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
      await this.repo.rollbackToSavepoint(tx, 'automation_rules');
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
      items.map(([rule, toValue]) => ({ ticketId, ...ruleApplied(rule, toValue), createdAt: now })),
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
      await this.ruleEvents(tx, t.id, [[rule, skippedWithoutEditor(rule)]]);
      return { fired: true, changed: false };
    }
    await this.repo.savepoint(tx, 'automation_rule');
    try {
      await this.ruleEvents(tx, t.id, [[rule, rule.name]]);
      if (plan.changes.length)
        await this.tickets.updateInTx(tx, actor, t.id, plan.update, plan.given);
      if (doOnce) await this.sideEffects(tx, actor, t, { rule, plan });
      await this.repo.releaseSavepoint(tx, 'automation_rule');
      return { fired: true, changed: plan.changes.length > 0 };
    } catch (err) {
      await this.repo.rollbackToSavepoint(tx, 'automation_rule');
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
    m: Pick<AutomationMailRow, 'ticketId' | 'ruleId' | 'kind' | 'recipient' | 'subject' | 'body'>,
  ): Promise<string> {
    const mailId = await this.repo.insertMail(tx, m);
    await this.outbox.record(tx, {
      type: 'automation.mail_queued',
      payload: { mailId, ticketId: m.ticketId },
    });
    return mailId;
  }

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
}
