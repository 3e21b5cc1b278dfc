import { CHANNELS, PRIORITIES, RISK_BANDS, TIERS, badInput } from '@staydesk/core';
import { TICKET_STATUSES, normalizeTags } from '@staydesk/tickets';
import type { TicketActions } from './ticket-actions';

/** When a rule runs: on a ticket change (inside its transaction) or by the worker's clock. */
export const RULE_TRIGGERS = [
  'ticket_created',
  'ticket_updated',
  'customer_message',
  'time',
] as const;
export type RuleTrigger = (typeof RULE_TRIGGERS)[number];

export const EMAIL_RECIPIENTS = ['requester', 'account_manager', 'assignee'] as const;
export type EmailRecipient = (typeof EMAIL_RECIPIENTS)[number];

/** One condition: `field` `operator` `values` (all of a rule's conditions must hold). */
export interface RuleCondition {
  field: string;
  operator: string;
  values: string[];
}

export interface RuleActions extends TicketActions {
  email?: { to: EmailRecipient; subject: string; body: string };
  followUp?: { inHours: number; note: string | null };
}

/** The time conditions: the clock a time-based rule watches (exactly one per time rule). */
export const TIME_FIELDS = ['pending_hours', 'unanswered_minutes'];

/** Fields, their operators and allowed values (null: free text / ids checked elsewhere). */
const FIELDS: Record<string, { operators: string[]; values: readonly string[] | null }> = {
  channel: { operators: ['is', 'is_not'], values: CHANNELS },
  priority: { operators: ['is', 'is_not'], values: PRIORITIES },
  status: { operators: ['is', 'is_not'], values: TICKET_STATUSES },
  tier: { operators: ['is', 'is_not'], values: TIERS },
  risk_band: { operators: ['is', 'is_not'], values: RISK_BANDS },
  customer: { operators: ['is', 'is_not'], values: null },
  team: { operators: ['is', 'is_not'], values: null },
  tags: { operators: ['contains_any', 'contains_all', 'contains_none'], values: null },
  words: { operators: ['contains_any', 'contains_none'], values: null },
  business_hours: { operators: ['within', 'outside'], values: [] },
  pending_hours: { operators: ['at_least'], values: null },
  unanswered_minutes: { operators: ['at_least'], values: null },
};
export const CONDITION_FIELDS = [...Object.keys(FIELDS), 'custom.<key>'];
/** A ticket custom field: `custom.<key>` is / is_not one of the values (compared as text). */
const CUSTOM_FIELD = { operators: ['is', 'is_not'], values: null };

/** Checks and normalizes a rule's conditions for its trigger; BAD_USER_INPUT names the condition. */
export function validateConditions(
  trigger: RuleTrigger,
  conditions: { field: string; operator: string; values?: string[] | null }[],
): RuleCondition[] {
  if (conditions.length > 20) throw badInput('conditions', 'at most 20 conditions');
  const out: RuleCondition[] = [];
  conditions.forEach((c, i) => {
    const at = `conditions[${i}]`;
    const spec = c.field.startsWith('custom.') ? CUSTOM_FIELD : FIELDS[c.field];
    if (!spec)
      throw badInput(
        `${at}.field`,
        `unknown field "${c.field}"; use one of ${CONDITION_FIELDS.join(', ')}`,
      );
    if (!spec.operators.includes(c.operator))
      throw badInput(
        `${at}.operator`,
        `${c.field} takes ${spec.operators.join(' or ')}, not "${c.operator}"`,
      );
    let values = (c.values ?? []).map((v) => v.trim()).filter(Boolean);
    if (c.field === 'business_hours') values = [];
    else if (!values.length) throw badInput(`${at}.values`, `${c.field} needs at least one value`);
    if (values.length > 50) throw badInput(`${at}.values`, 'at most 50 values');
    if (spec.values && spec.values.length) {
      const bad = values.find((v) => !spec.values!.includes(v));
      if (bad)
        throw badInput(
          `${at}.values`,
          `"${bad}" is not a ${c.field}; use ${spec.values.join(', ')}`,
        );
    }
    if (c.field === 'customer' || c.field === 'team') {
      const bad = values.find((v) => !/^[1-9][0-9]{0,17}$/.test(v));
      if (bad) throw badInput(`${at}.values`, `"${bad}" is not a ${c.field} id`);
    }
    if (c.field === 'tags') values = normalizeTags(values, `${at}.values`);
    if (c.field === 'words') {
      values = values.map((v) => v.toLowerCase());
      if (values.some((v) => v.length > 100))
        throw badInput(`${at}.values`, 'a word or phrase is at most 100 characters');
    }
    if (TIME_FIELDS.includes(c.field)) {
      if (trigger !== 'time')
        throw badInput(`${at}.field`, `${c.field} is a clock: only time-based rules use it`);
      const n = Number(values[0]);
      if (values.length !== 1 || !Number.isInteger(n) || n < 1 || n > 24 * 365)
        throw badInput(`${at}.values`, `${c.field} takes one whole number from 1 to 8760`);
      values = [String(n)];
    }
    out.push({ field: c.field, operator: c.operator, values });
  });
  if (trigger === 'time' && out.filter((c) => TIME_FIELDS.includes(c.field)).length !== 1)
    throw badInput(
      'conditions',
      `a time-based rule needs exactly one clock condition (${TIME_FIELDS.join(' or ')})`,
    );
  return out;
}

/** What a rule's conditions look at, for one ticket. */
export interface TicketFacts {
  channel: string;
  priority: string;
  status: string;
  tier: string;
  riskBand: string | null;
  customerId: string;
  teamId: string | null;
  tags: string[];
  /** Subject and the latest customer message, for word conditions. */
  text: string;
  /** Whether now is within the team's business hours (no calendar: always). */
  withinBusinessHours: boolean;
  customFields: Record<string, unknown>;
}

export interface ConditionResult extends RuleCondition {
  matched: boolean;
  /** What the ticket has, as the condition saw it. */
  actual: string;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whole-word (or whole-phrase) match, case-insensitive, any script. */
export function hasWord(text: string, word: string): boolean {
  return new RegExp(`(^|[^\\p{L}\\p{N}])${escape(word)}($|[^\\p{L}\\p{N}])`, 'iu').test(text);
}

/** Evaluates each condition (time clocks are matched by the worker's SQL and count as met here). */
export function evaluate(
  conditions: RuleCondition[],
  f: TicketFacts,
): { matched: boolean; results: ConditionResult[] } {
  const results = conditions.map((c): ConditionResult => {
    const oneOf = (actual: string | null) => {
      const hit = actual !== null && c.values.includes(actual);
      return { matched: c.operator === 'is' ? hit : !hit, actual: actual ?? '(none)' };
    };
    let r: { matched: boolean; actual: string };
    switch (c.field) {
      case 'channel':
        r = oneOf(f.channel);
        break;
      case 'priority':
        r = oneOf(f.priority);
        break;
      case 'status':
        r = oneOf(f.status);
        break;
      case 'tier':
        r = oneOf(f.tier);
        break;
      case 'risk_band':
        r = oneOf(f.riskBand);
        break;
      case 'customer':
        r = oneOf(f.customerId);
        break;
      case 'team':
        r = oneOf(f.teamId);
        break;
      case 'tags': {
        const has = c.values.filter((v) => f.tags.includes(v)).length;
        const matched =
          c.operator === 'contains_any'
            ? has > 0
            : c.operator === 'contains_all'
              ? has === c.values.length
              : has === 0;
        r = { matched, actual: f.tags.join(', ') || '(no tags)' };
        break;
      }
      case 'words': {
        const found = c.values.filter((w) => hasWord(f.text, w));
        r = {
          matched: c.operator === 'contains_any' ? found.length > 0 : found.length === 0,
          actual: found.length ? `found: ${found.join(', ')}` : 'none of the words',
        };
        break;
      }
      case 'business_hours':
        r = {
          matched: (c.operator === 'within') === f.withinBusinessHours,
          actual: f.withinBusinessHours ? 'within business hours' : 'outside business hours',
        };
        break;
      default:
        if (c.field.startsWith('custom.')) {
          const v = f.customFields[c.field.slice(7)];
          r = oneOf(v === undefined || v === null ? null : String(v));
        } else r = { matched: true, actual: 'checked by the worker' };
    }
    return { ...c, ...r };
  });
  return { matched: results.every((r) => r.matched), results };
}

/** Tags after a rule's add/remove. */
export function tagsAfter(current: string[], a: Pick<RuleActions, 'addTags' | 'removeTags'>) {
  const remove = new Set(a.removeTags ?? []);
  return normalizeTags([...current.filter((x) => !remove.has(x)), ...(a.addTags ?? [])]);
}
