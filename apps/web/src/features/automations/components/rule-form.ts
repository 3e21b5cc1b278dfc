import type { AutomationRuleFieldsFragment, AutomationRuleInput, Priority } from '@/gql/graphql';

export interface ConditionDraft {
  field: string;
  operator: string;
  values: string[];
}

export interface RuleDraft {
  id: string | null;
  version: number | null;
  name: string;
  trigger: string;
  active: boolean;
  stopProcessing: boolean;
  conditions: ConditionDraft[];
  priority: Priority | null;
  teamId: string | null;
  assigneeId: string | null;
  addTags: string[];
  removeTags: string[];
  note: string;
  emailTo: string | null;
  emailSubject: string;
  emailBody: string;
  followUpInHours: number | '';
  followUpNote: string;
}

export const TRIGGERS = [
  { value: 'ticket_created', label: 'Ticket created' },
  { value: 'ticket_updated', label: 'Ticket updated' },
  { value: 'customer_message', label: 'Customer message' },
  { value: 'time', label: 'Time-based (worker, every minute)' },
];

export const CHOICES: Record<string, string[]> = {
  channel: ['email', 'phone', 'chat', 'web', 'social'],
  priority: ['low', 'normal', 'high', 'urgent'],
  status: ['new', 'open', 'pending', 'on_hold', 'solved', 'closed'],
  tier: ['free', 'starter', 'pro', 'enterprise'],
  risk_band: ['low', 'medium', 'high', 'critical'],
};

/** Condition fields, their labels and operators (as the api checks them). */
export const FIELDS: { value: string; label: string; operators: string[]; time?: boolean }[] = [
  { value: 'channel', label: 'Channel', operators: ['is', 'is_not'] },
  { value: 'priority', label: 'Priority', operators: ['is', 'is_not'] },
  { value: 'status', label: 'Status', operators: ['is', 'is_not'] },
  { value: 'tags', label: 'Tags', operators: ['contains_any', 'contains_all', 'contains_none'] },
  {
    value: 'words',
    label: 'Subject or message words',
    operators: ['contains_any', 'contains_none'],
  },
  { value: 'customer', label: 'Customer (id)', operators: ['is', 'is_not'] },
  { value: 'tier', label: 'Customer tier', operators: ['is', 'is_not'] },
  { value: 'risk_band', label: 'Churn-risk band', operators: ['is', 'is_not'] },
  { value: 'team', label: 'Team', operators: ['is', 'is_not'] },
  { value: 'business_hours', label: 'Business hours', operators: ['within', 'outside'] },
  { value: 'pending_hours', label: 'Pending for (hours)', operators: ['at_least'], time: true },
  {
    value: 'unanswered_minutes',
    label: 'Unanswered for (minutes)',
    operators: ['at_least'],
    time: true,
  },
];

export const OPERATOR_LABELS: Record<string, string> = {
  is: 'is',
  is_not: 'is not',
  contains_any: 'contains any of',
  contains_all: 'contains all of',
  contains_none: 'contains none of',
  within: 'within',
  outside: 'outside',
  at_least: 'at least',
};

export const emptyDraft = (): RuleDraft => ({
  id: null,
  version: null,
  name: '',
  trigger: 'ticket_created',
  active: true,
  stopProcessing: false,
  conditions: [{ field: 'channel', operator: 'is', values: [] }],
  priority: null,
  teamId: null,
  assigneeId: null,
  addTags: [],
  removeTags: [],
  note: '',
  emailTo: null,
  emailSubject: '',
  emailBody: '',
  followUpInHours: '',
  followUpNote: '',
});

export function draftOf(r: AutomationRuleFieldsFragment): RuleDraft {
  const a = r.actions;
  return {
    id: r.id,
    version: r.version,
    name: r.name,
    trigger: r.trigger,
    active: r.active,
    stopProcessing: r.stopProcessing,
    conditions: r.conditions.map((c) => ({ ...c, values: [...c.values] })),
    priority: a.priority ?? null,
    teamId: a.teamId ?? null,
    assigneeId: a.assigneeId ?? null,
    addTags: a.addTags,
    removeTags: a.removeTags,
    note: a.note ?? '',
    emailTo: a.emailTo ?? null,
    emailSubject: a.emailSubject ?? '',
    emailBody: a.emailBody ?? '',
    followUpInHours: a.followUpInHours ?? '',
    followUpNote: a.followUpNote ?? '',
  };
}

export function inputOf(d: RuleDraft): AutomationRuleInput {
  const email = d.emailTo
    ? { emailTo: d.emailTo, emailSubject: d.emailSubject, emailBody: d.emailBody }
    : {};
  return {
    name: d.name,
    trigger: d.trigger as AutomationRuleInput['trigger'],
    active: d.active,
    stopProcessing: d.stopProcessing,
    conditions: d.conditions.map((c) => ({
      field: c.field,
      operator: c.operator,
      values: c.values,
    })),
    actions: {
      priority: d.priority,
      teamId: d.teamId,
      assigneeId: d.assigneeId,
      addTags: d.addTags.length ? d.addTags : null,
      removeTags: d.removeTags.length ? d.removeTags : null,
      note: d.note.trim() ? d.note : null,
      ...email,
      ...(d.followUpInHours !== ''
        ? { followUpInHours: d.followUpInHours, followUpNote: d.followUpNote || null }
        : {}),
    },
  };
}

/** One line describing a rule's conditions, for the list. */
export function describeConditions(r: AutomationRuleFieldsFragment): string {
  if (!r.conditions.length) return 'Always';
  return r.conditions
    .map((c) => {
      const f = FIELDS.find((x) => x.value === c.field)?.label ?? c.field.replace(/^custom\./, '');
      return `${f} ${OPERATOR_LABELS[c.operator] ?? c.operator}${c.values.length ? ` ${c.values.join(', ')}` : ''}`;
    })
    .join(' and ');
}

export function describeActions(r: AutomationRuleFieldsFragment): string {
  const a = r.actions;
  const out: string[] = [];
  if (a.priority) out.push(`priority ${a.priority}`);
  if (a.teamId) out.push('set team');
  if (a.assigneeId) out.push('assign');
  if (a.addTags.length) out.push(`tag ${a.addTags.join(', ')}`);
  if (a.removeTags.length) out.push(`untag ${a.removeTags.join(', ')}`);
  if (a.note) out.push('note');
  if (a.emailTo) out.push(`e-mail ${a.emailTo.replace('_', ' ')}`);
  if (a.followUpInHours != null) out.push(`follow-up in ${a.followUpInHours} h`);
  return out.join(' · ');
}
