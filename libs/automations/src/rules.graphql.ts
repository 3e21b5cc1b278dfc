import {
  Args,
  Field,
  GraphQLISODateTime,
  ID,
  InputType,
  Int,
  Mutation,
  ObjectType,
  Query,
  Resolver,
  registerEnumType,
} from '@nestjs/graphql';
import { PriorityEnum } from '@staydesk/core';
import { Actor, CurrentUser, Roles, TICKET_WORKERS } from '@staydesk/identity';
import { TicketObject } from '@staydesk/tickets';
import { MergeService } from './merge.service';
import { CONDITION_FIELDS, EMAIL_RECIPIENTS, RULE_TRIGGERS } from './rule-logic';
import type { RuleRow, RuleVersionRow } from './rules.repository';
import { RulesService, RuleTestResult } from './rules.service';

const enumOf = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const RuleTriggerEnum = enumOf(RULE_TRIGGERS);
registerEnumType(RuleTriggerEnum, {
  name: 'RuleTrigger',
  description:
    'ticket_created / ticket_updated / customer_message: run inside the transaction of that change. time: run by the worker every minute, once per ticket per condition period.',
});

const CONDITION_HELP = `field: ${CONDITION_FIELDS.join(', ')}. Operators: is / is_not (channel, priority, status, tier, risk_band, customer, team: values are names or ids), contains_any / contains_all / contains_none (tags), contains_any / contains_none (words: whole words or phrases in the subject and the latest customer message, any case), within / outside (business_hours of the ticket's team; no calendar counts as within), at_least (time rules only: pending_hours, unanswered_minutes, one number).`;

@ObjectType('RuleCondition', { description: CONDITION_HELP })
export class RuleConditionObject {
  @Field() field!: string;
  @Field() operator!: string;
  @Field(() => [String]) values!: string[];
}

@InputType('RuleConditionInput', { description: CONDITION_HELP })
export class RuleConditionInput {
  @Field() field!: string;
  @Field() operator!: string;
  @Field(() => [String], { nullable: true }) values?: string[] | null;
}

@ObjectType('RuleActions', { description: 'What a rule does when its conditions hold.' })
export class RuleActionsObject {
  @Field(() => ID, { nullable: true }) teamId?: string | null;
  @Field(() => ID, { nullable: true }) assigneeId?: string | null;
  @Field(() => PriorityEnum, { nullable: true }) priority?: string | null;
  @Field(() => [String]) addTags!: string[];
  @Field(() => [String]) removeTags!: string[];
  @Field(() => String, { nullable: true }) note?: string | null;
  @Field(() => String, { nullable: true, description: EMAIL_RECIPIENTS.join(', ') })
  emailTo?: string | null;
  @Field(() => String, { nullable: true }) emailSubject?: string | null;
  @Field(() => String, { nullable: true }) emailBody?: string | null;
  @Field(() => Int, { nullable: true }) followUpInHours?: number | null;
  @Field(() => String, { nullable: true }) followUpNote?: string | null;
}

@InputType('RuleActionsInput', {
  description:
    'Omitted actions do nothing. Note, e-mail subject/body and follow-up note take the macro placeholders ({{requester.first_name}}, {{ticket.number}}, {{agent.name}} = the assignee, …). emailTo: requester, account_manager or assignee; the mail goes out through the outbox. A follow-up goes to the account manager (else the assignee).',
})
export class RuleActionsInput {
  @Field(() => ID, { nullable: true }) teamId?: string | null;
  @Field(() => ID, { nullable: true }) assigneeId?: string | null;
  @Field(() => PriorityEnum, { nullable: true }) priority?: string | null;
  @Field(() => [String], { nullable: true }) addTags?: string[] | null;
  @Field(() => [String], { nullable: true }) removeTags?: string[] | null;
  @Field(() => String, { nullable: true }) note?: string | null;
  @Field(() => String, { nullable: true }) emailTo?: string | null;
  @Field(() => String, { nullable: true }) emailSubject?: string | null;
  @Field(() => String, { nullable: true }) emailBody?: string | null;
  @Field(() => Int, { nullable: true }) followUpInHours?: number | null;
  @Field(() => String, { nullable: true }) followUpNote?: string | null;
}

@InputType('AutomationRuleInput', {
  description: 'A whole rule (update replaces it and saves a new version).',
})
export class AutomationRuleInput {
  @Field() name!: string;
  @Field(() => RuleTriggerEnum) trigger!: string;
  @Field(() => [RuleConditionInput], { nullable: true, description: 'All must hold.' })
  conditions?: RuleConditionInput[] | null;
  @Field(() => RuleActionsInput) actions!: RuleActionsInput;
  @Field(() => Boolean, { nullable: true, description: 'Default true.' }) active?: boolean | null;
  @Field(() => Boolean, {
    nullable: true,
    description: 'When this rule fires, the rules after it do not run (default false).',
  })
  stopProcessing?: boolean | null;
}

@ObjectType('AutomationRule', {
  description:
    'A rule: conditions and actions, run in position order within its trigger. Every run leaves a rule_applied event naming the rule and version on the ticket.',
})
export class AutomationRuleObject {
  @Field(() => ID) id!: string;
  @Field() name!: string;
  @Field(() => RuleTriggerEnum) trigger!: string;
  @Field(() => [RuleConditionObject]) conditions!: RuleConditionObject[];
  @Field(() => RuleActionsObject) actions!: RuleActionsObject;
  @Field(() => Int) position!: number;
  @Field() active!: boolean;
  @Field() stopProcessing!: boolean;
  @Field(() => Int, { description: 'Bumped by every change; older versions stay readable.' })
  version!: number;
  @Field(() => ID, { nullable: true }) updatedById!: string | null;
  @Field(() => GraphQLISODateTime) updatedAt!: Date;
}

@ObjectType('AutomationRuleVersion', {
  description: 'One saved version of an automation rule (every change keeps the one before).',
})
export class AutomationRuleVersionObject {
  @Field(() => Int) version!: number;
  @Field(() => AutomationRuleObject, { description: 'The rule as saved in this version.' })
  rule!: AutomationRuleObject;
  @Field(() => ID, { nullable: true }) changedById!: string | null;
  @Field(() => GraphQLISODateTime) changedAt!: Date;
}

@ObjectType('RuleConditionResult', {
  description:
    'One condition of a rule tested against a ticket: whether it held, and what the ticket had.',
})
export class RuleConditionResultObject extends RuleConditionObject {
  @Field() matched!: boolean;
  @Field({ description: 'What the ticket has, as the condition saw it.' }) actual!: string;
}

@ObjectType('RuleChange', {
  description: 'A field a rule would change on the ticket, from its value now to the new one.',
})
export class RuleChangeObject {
  @Field() field!: string;
  @Field(() => String, { nullable: true }) from!: string | null;
  @Field(() => String, { nullable: true }) to!: string | null;
}

@ObjectType('RuleEmailPreview', {
  description: 'The templated e-mail a rule would send, with its placeholders filled in.',
})
export class RuleEmailPreviewObject {
  @Field() to!: string;
  @Field(() => String, { nullable: true, description: 'null: nobody to send it to.' })
  recipient!: string | null;
  @Field() subject!: string;
  @Field() body!: string;
}

@ObjectType('RuleTestResult', {
  description: 'What a rule would do to a ticket now; nothing is written.',
})
export class RuleTestResultObject {
  @Field() matched!: boolean;
  @Field(() => [RuleConditionResultObject]) conditions!: RuleConditionResultObject[];
  @Field(() => [RuleChangeObject]) changes!: RuleChangeObject[];
  @Field(() => String, { nullable: true }) note!: string | null;
  @Field(() => RuleEmailPreviewObject, { nullable: true }) email!: RuleEmailPreviewObject | null;
  @Field(() => GraphQLISODateTime, { nullable: true }) followUpDueAt!: Date | null;
  @Field(() => ID, { nullable: true }) followUpOwnerId!: string | null;
}

@ObjectType('MergeResult', {
  description: 'Both tickets after a merge: the one that stays and the closed duplicate.',
})
export class MergeResultObject {
  @Field(() => TicketObject, { description: 'The ticket that stays (messages, tags added).' })
  target!: TicketObject;
  @Field(() => TicketObject, { description: 'The merged duplicate, now closed.' })
  source!: TicketObject;
}

@ObjectType('SplitResult', {
  description: 'Both tickets after a split: the original and the new one holding the message.',
})
export class SplitResultObject {
  @Field(() => TicketObject) source!: TicketObject;
  @Field(() => TicketObject, { description: 'The new ticket holding the message.' })
  ticket!: TicketObject;
}

export function toRuleObject(r: Omit<RuleRow, 'id'> & { id: string }): AutomationRuleObject {
  const a = r.actions;
  return {
    ...r,
    actions: {
      teamId: a.teamId ?? null,
      assigneeId: a.assigneeId ?? null,
      priority: a.priority ?? null,
      addTags: a.addTags ?? [],
      removeTags: a.removeTags ?? [],
      note: a.note ?? null,
      emailTo: a.email?.to ?? null,
      emailSubject: a.email?.subject ?? null,
      emailBody: a.email?.body ?? null,
      followUpInHours: a.followUp?.inHours ?? null,
      followUpNote: a.followUp?.note ?? null,
    },
  };
}

function toVersion(v: RuleVersionRow, current: RuleRow): AutomationRuleVersionObject {
  return {
    version: v.version,
    changedById: v.changedById,
    changedAt: v.changedAt,
    rule: toRuleObject({
      ...current,
      ...v.snapshot,
      version: v.version,
      updatedById: v.changedById,
      updatedAt: v.changedAt,
    }),
  };
}

function toTestResult(r: RuleTestResult): RuleTestResultObject {
  return {
    matched: r.matched,
    conditions: r.conditions,
    changes: r.plan.changes,
    note: r.plan.note,
    email: r.plan.email,
    followUpDueAt: r.plan.followUp?.dueAt ?? null,
    followUpOwnerId: r.plan.followUp?.ownerId ?? null,
  };
}

@Resolver(() => AutomationRuleObject)
export class RulesResolver {
  constructor(private readonly rules: RulesService) {}

  @Roles('admin', 'team_lead')
  @Query(() => [AutomationRuleObject], {
    description: 'Automation rules (admins and team leads), by trigger and position.',
  })
  async automationRules(@CurrentUser() actor: Actor) {
    return (await this.rules.list(actor)).map(toRuleObject);
  }

  @Roles('admin', 'team_lead')
  @Query(() => [AutomationRuleVersionObject], {
    description: 'Every saved version of a rule, newest first.',
  })
  async automationRuleVersions(
    @CurrentUser() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
  ) {
    const current = await this.rules.rule(actor, id);
    return (await this.rules.versions(actor, id)).map((v) => toVersion(v, current));
  }

  @Roles('admin', 'team_lead')
  @Query(() => RuleTestResultObject, {
    description:
      'Test a rule (saved or a draft) against a ticket: which conditions hold, what it would change, the rendered note and e-mail. Nothing is written.',
  })
  async testAutomationRule(
    @CurrentUser() actor: Actor,
    @Args('ticketId', { type: () => ID }) ticketId: string,
    @Args('input') input: AutomationRuleInput,
  ) {
    return toTestResult(await this.rules.test(actor, ticketId, input));
  }

  @Roles('admin', 'team_lead')
  @Mutation(() => AutomationRuleObject, {
    description: 'Create a rule (placed last within its trigger).',
  })
  async createAutomationRule(
    @CurrentUser() actor: Actor,
    @Args('input') input: AutomationRuleInput,
  ) {
    return toRuleObject(await this.rules.create(actor, input));
  }

  @Roles('admin', 'team_lead')
  @Mutation(() => AutomationRuleObject, {
    description: 'Replace a rule, saving a new version; a stale expectedVersion is CONFLICT.',
  })
  async updateAutomationRule(
    @CurrentUser() actor: Actor,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: AutomationRuleInput,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number | null,
  ) {
    return toRuleObject(await this.rules.update(actor, id, input, expectedVersion));
  }

  @Roles('admin', 'team_lead')
  @Mutation(() => Boolean, {
    description: 'Delete a rule: it stops running; its versions and history events stay.',
  })
  deleteAutomationRule(@CurrentUser() actor: Actor, @Args('id', { type: () => ID }) id: string) {
    return this.rules.delete(actor, id);
  }

  @Roles('admin', 'team_lead')
  @Mutation(() => [AutomationRuleObject], {
    description: "Set the run order of one trigger's rules (ids: all of them, once each).",
  })
  async reorderAutomationRules(
    @CurrentUser() actor: Actor,
    @Args('trigger', { type: () => RuleTriggerEnum }) trigger: string,
    @Args('ids', { type: () => [ID] }) ids: string[],
  ) {
    return (await this.rules.reorder(actor, trigger, ids)).map(toRuleObject);
  }
}

@Resolver()
export class MergeResolver {
  constructor(private readonly merges: MergeService) {}

  @Roles(...TICKET_WORKERS)
  @Mutation(() => MergeResultObject, {
    description:
      'Merge a duplicate (sourceId) into another ticket of the same customer: its messages, tags and open follow-ups move, it closes with a link, its requester is told by e-mail. One transaction; nothing is deleted.',
  })
  mergeTickets(
    @CurrentUser() actor: Actor,
    @Args('sourceId', { type: () => ID }) sourceId: string,
    @Args('targetId', { type: () => ID }) targetId: string,
  ) {
    return this.merges.merge(actor, sourceId, targetId);
  }

  @Roles(...TICKET_WORKERS)
  @Mutation(() => SplitResultObject, {
    description:
      'Move one customer message out of a ticket into a new ticket (same customer, team, priority).',
  })
  splitTicket(
    @CurrentUser() actor: Actor,
    @Args('ticketId', { type: () => ID }) ticketId: string,
    @Args('messageId', { type: () => ID }) messageId: string,
    @Args('subject', { type: () => String, nullable: true }) subject?: string | null,
  ) {
    return this.merges.split(actor, ticketId, messageId, subject);
  }
}
