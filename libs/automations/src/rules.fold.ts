/**
 * Creation rules decided before createTicket's insert (issue 18's benchmark): a run of the
 * `ticket_created` rules (and the `ticket_updated` passes after them) replayed on the new
 * ticket's own facts, exactly as `RulesService.runRules` would run it after the insert, so that
 * the insert writes its result and a matching rule costs no second ticket write.
 */
import { CreateFold, FoldedUpdate, TicketDraft } from '@staydesk/tickets';
import { Actor } from '@staydesk/identity';
import { RuleCondition, TicketFacts, evaluate, tagsAfter } from './rule-logic';
import { EditorRow, RuleRow } from './rules.repository';
import { actorFromEditor } from './rule-facts';

/** Fields whose value the draft has (the others need the customer, the team or the clock). */
function known(c: RuleCondition, d: TicketDraft): boolean {
  if (['channel', 'priority', 'status', 'team', 'tags', 'words'].includes(c.field)) return true;
  if (c.field.startsWith('custom.')) return true; // a new ticket has no custom fields
  if (c.field === 'customer') return d.customerId !== null;
  // without a team there is no calendar: always within business hours (as FactCache says)
  if (c.field === 'business_hours') return d.teamId === null;
  return false;
}

/**
 * Whether a rule's conditions hold for the draft with these tags: null when one that might
 * decide it needs what only exists after the insert (a false known condition decides alone,
 * as in `FactCache.matches`).
 */
export function decide(
  conditions: RuleCondition[],
  d: TicketDraft,
  tags: string[],
): boolean | null {
  const facts: TicketFacts = {
    channel: d.channel,
    priority: d.priority,
    status: d.status,
    tier: '',
    riskBand: null,
    customerId: d.customerId ?? '',
    teamId: d.teamId,
    tags,
    // FactCache's text: the subject and the latest customer message (the first message, if the customer wrote it)
    text: conditions.some((c) => c.field === 'words')
      ? `${d.subject}\n${d.customerText}`
      : d.subject,
    withinBusinessHours: true,
    customFields: {},
  };
  const decidable = conditions.filter((c) => known(c, d));
  if (!evaluate(decidable, facts).matched) return false;
  return decidable.length === conditions.length ? true : null;
}

/** The tags a rule leaves, or null when it would do anything the insert cannot write. */
function tagsOnly(rule: RuleRow, d: TicketDraft, tags: string[]): string[] | null {
  const a = rule.actions;
  if (a.note || a.email || a.followUp) return null;
  if (a.priority && a.priority !== d.priority) return null;
  if (a.teamId !== undefined && a.teamId !== d.teamId) return null;
  if (a.assigneeId !== undefined && a.assigneeId !== d.assigneeId) return null;
  if (!a.addTags?.length && !a.removeTags?.length) return tags;
  try {
    return tagsAfter(tags, a);
  } catch {
    return null; // the run after the insert fails the same way
  }
}

/**
 * The run `runRules(ticket_created)` would make on the new ticket, or null if any rule it would
 * look at cannot be decided on the draft, would change more than tags, acts as someone who may
 * not read the ticket's team, or the loop guard would stop it (all of these run after the
 * insert, unchanged). Mirrors runRules: passes, batches of consecutive rules with the same
 * acting user (one update each), `stopProcessing`, rules whose editor no longer works tickets.
 */
export function foldCreation(
  all: (RuleRow & { editor: EditorRow | null })[],
  d: TicketDraft,
  maxPasses: number,
): CreateFold | null {
  const events: CreateFold['events'] = [];
  const updates: FoldedUpdate[] = [];
  let tags = d.tags; // the ticket as written so far (runRules' `t`)
  for (let pass = 1; pass <= maxPasses; pass++) {
    const rules = all.filter(
      (r) => r.trigger === (pass === 1 ? 'ticket_created' : 'ticket_updated'),
    );
    if (!rules.length) break;
    let changed = false;
    let stop = false;
    let virtual = tags;
    let batch: { actor: Actor | null; rules: RuleRow[] } | null = null;
    const flush = (): boolean => {
      if (!batch) return true;
      const b = batch;
      batch = null;
      if (!b.actor) {
        for (const r of b.rules) events.push(ruleApplied(r, skippedWithoutEditor(r)));
        virtual = tags;
        return true;
      }
      // updateInTx reads the ticket as its actor: a private team's ticket may be hidden from them
      if (d.teamId !== null && b.actor.role !== 'admin') return false;
      for (const r of b.rules) events.push(ruleApplied(r, r.name));
      if (virtual.join(',') !== tags.join(',')) {
        const change = { type: 'tags_changed', from: tags.join(','), to: virtual.join(',') };
        events.push({
          actorId: b.actor.id,
          type: change.type,
          fromValue: change.from,
          toValue: change.to,
        });
        updates.push({ actorId: b.actor.id, changes: [change] });
        tags = virtual;
      }
      return true;
    };
    for (const rule of rules) {
      const holds = decide(rule.conditions, d, virtual);
      if (holds === null) return null;
      if (!holds) continue;
      const actor = actorFromEditor(rule.editor);
      const after = tagsOnly(rule, d, virtual);
      if (!after) return null;
      // the tags are its only possible change: it fires when they move
      if (after.join(',') === virtual.join(',')) continue;
      if (batch && (batch as { actor: Actor | null }).actor?.id !== actor?.id && !flush())
        return null;
      batch ??= { actor, rules: [] };
      (batch as { rules: RuleRow[] }).rules.push(rule);
      changed = true;
      virtual = after;
      if (rule.stopProcessing) {
        stop = true;
        break;
      }
    }
    if (!flush()) return null;
    if (!changed || stop) break;
    if (pass === maxPasses) return null; // the loop guard's event: left to the run after the insert
  }
  return { tags, events, updates };
}

/** A rule's `rule_applied` history event (by no one: the rule acted), folded or written after. */
export function ruleApplied(rule: RuleRow, toValue: string): CreateFold['events'][number] {
  return {
    actorId: null,
    type: 'rule_applied',
    fromValue: `rule ${rule.id} v${rule.version}`,
    toValue: toValue.slice(0, 1000),
  };
}

/** What a rule's firing says when its last editor no longer works tickets. */
export function skippedWithoutEditor(rule: RuleRow): string {
  return `${rule.name}: skipped, its last editor no longer works tickets`;
}
