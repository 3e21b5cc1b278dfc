import { Injectable } from '@nestjs/common';
import { InjectPinoLogger, PinoLogger } from 'nestjs-pino';
import {
  AuditRepository,
  TransactionRunner,
  badInput,
  conflict,
  forbidden,
  notFound,
} from '@staydesk/core';
import { FollowUpsService } from '@staydesk/followups';
import { Actor, IdentityService, validateId } from '@staydesk/identity';
import { OutboxService } from '@staydesk/outbox';
import { TicketHooks, TicketsService, UpdateTicketInput, validateBody } from '@staydesk/tickets';
import { checkPlaceholders } from './macro-rules';
import { checkTicketActions } from './ticket-actions';
import {
  ConditionResult,
  EMAIL_RECIPIENTS,
  EmailRecipient,
  RULE_TRIGGERS,
  RuleActions,
  RuleTrigger,
  validateConditions,
} from './rule-logic';
import { NewRule, RuleRow, RulesRepository } from './rules.repository';

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

/** Rules management (admins and team leads): list, versions, create, update, delete, reorder, validation. */
@Injectable()
export abstract class RulesAdmin {
  constructor(
    protected readonly repo: RulesRepository,
    protected readonly tx: TransactionRunner,
    protected readonly audit: AuditRepository,
    protected readonly identity: IdentityService,
    protected readonly tickets: TicketsService,
    protected readonly hooks: TicketHooks,
    protected readonly outbox: OutboxService,
    protected readonly followups: FollowUpsService,
    @InjectPinoLogger('RulesService') protected readonly logger: PinoLogger,
  ) {}

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

  protected async validate(input: RuleInput): Promise<NewRule> {
    const name = input.name.trim();
    if (!name || name.length > 100) throw badInput('name', 'must be 1 to 100 characters');
    if (!RULE_TRIGGERS.includes(input.trigger as RuleTrigger))
      throw badInput('trigger', `must be one of ${RULE_TRIGGERS.join(', ')}`);
    const trigger = input.trigger as RuleTrigger;
    const conditions = validateConditions(trigger, input.conditions ?? []);
    for (const [i, c] of conditions.entries()) {
      if (c.field.startsWith('custom.')) {
        if (!(await this.repo.ticketFieldExists(this.tx.db, c.field.slice(7))))
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
    const actions: RuleActions = await checkTicketActions(
      this.identity,
      a,
      (u) => `user ${u.id} does not work tickets`,
    );
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

  protected requireManager(actor: Actor) {
    if (actor.role !== 'admin' && actor.role !== 'team_lead')
      throw forbidden('only admins and team leads manage automation rules');
  }
}
