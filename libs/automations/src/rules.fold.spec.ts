import { TicketDraft } from '@staydesk/tickets';
import { RuleCondition } from './rule-logic';
import { EditorRow, RuleRow } from './rules.repository';
import { decide, foldCreation } from './rules.fold';

const draft: TicketDraft = {
  channel: 'web',
  priority: 'normal',
  status: 'new',
  customerId: null,
  teamId: null,
  assigneeId: null,
  tags: ['billing'],
  subject: 'Charged twice',
  customerText: 'I want a refund.',
  createdAt: new Date('2026-01-01T00:00:00Z'),
};
const lead: EditorRow = { id: '5', name: 'Di', role: 'team_lead', teamId: null, active: true };
let n = 0;
const rule = (
  r: Partial<RuleRow> & Pick<RuleRow, 'conditions' | 'actions'>,
  editor: EditorRow | null = lead,
): RuleRow & { editor: EditorRow | null } => ({
  id: String(++n),
  name: `rule ${n}`,
  trigger: 'ticket_created',
  position: n,
  active: true,
  stopProcessing: false,
  version: 1,
  createdById: null,
  updatedById: editor?.id ?? null,
  createdAt: new Date(),
  updatedAt: new Date(),
  editor,
  ...r,
});
const c = (field: string, operator: string, ...values: string[]): RuleCondition => ({
  field,
  operator,
  values,
});

describe('creation rules decided before the insert', () => {
  it('decides on the draft; a false known condition decides alone, an unknown one otherwise waits', () => {
    expect(
      decide([c('channel', 'is', 'web'), c('words', 'contains_any', 'refund')], draft, []),
    ).toBe(true);
    expect(decide([c('words', 'contains_any', 'charged')], draft, [])).toBe(true);
    expect(decide([c('tier', 'is', 'pro'), c('channel', 'is', 'phone')], draft, [])).toBe(false);
    expect(decide([c('tier', 'is', 'pro'), c('channel', 'is', 'web')], draft, [])).toBeNull();
    expect(decide([c('customer', 'is', '7')], draft, [])).toBeNull();
    expect(decide([c('customer', 'is', '7')], { ...draft, customerId: '7' }, [])).toBe(true);
    expect(decide([c('business_hours', 'outside')], draft, [])).toBe(false);
    expect(decide([c('business_hours', 'outside')], { ...draft, teamId: '3' }, [])).toBeNull();
    expect(decide([c('custom.plan', 'is_not', 'gold')], draft, [])).toBe(true);
  });

  it('batches consecutive rules of one editor, runs the "updated" pass, stops where told', () => {
    const admin: EditorRow = { ...lead, id: '1', role: 'admin' };
    const rules = [
      rule({ conditions: [c('channel', 'is', 'web')], actions: { addTags: ['a'] } }),
      rule({ conditions: [], actions: { addTags: ['b'] } }),
      rule({ conditions: [], actions: { addTags: ['c'] } }, admin),
      rule({
        trigger: 'ticket_updated',
        conditions: [c('tags', 'contains_any', 'c')],
        actions: { removeTags: ['billing'] },
        stopProcessing: true,
      }),
    ];
    const fold = foldCreation(rules, draft, 5)!;
    expect(fold.tags).toEqual(['a', 'b', 'c']);
    expect(fold.events.map((e) => [e.type, e.actorId, e.toValue])).toEqual([
      ['rule_applied', null, rules[0].name],
      ['rule_applied', null, rules[1].name],
      ['tags_changed', '5', 'a,b,billing'],
      ['rule_applied', null, rules[2].name],
      ['tags_changed', '1', 'a,b,billing,c'],
      ['rule_applied', null, rules[3].name],
      ['tags_changed', '5', 'a,b,c'],
    ]);
    expect(fold.updates.map((u) => u.actorId)).toEqual(['5', '1', '5']);
    // no rule fires: nothing to write, nothing to run after the insert
    expect(foldCreation([rules[3]], draft, 5)).toEqual({
      tags: ['billing'],
      events: [],
      updates: [],
    });
  });

  it('leaves to the run after the insert what the insert cannot write', () => {
    const other = (r: Partial<RuleRow>) =>
      foldCreation([rule({ conditions: [], actions: { addTags: ['x'] }, ...r })], draft, 5);
    expect(other({ actions: { priority: 'high' } })).toBeNull();
    expect(other({ actions: { addTags: ['x'], note: 'hi' } })).toBeNull();
    expect(other({ actions: { teamId: '3' } })).toBeNull();
    expect(other({ conditions: [c('risk_band', 'is', 'high')] })).toBeNull();
    // a private team's ticket may be hidden from a lead: updateInTx decides
    expect(
      foldCreation(
        [rule({ conditions: [], actions: { addTags: ['x'] } })],
        { ...draft, teamId: '3' },
        5,
      ),
    ).toBeNull();
    // rules that keep changing each other: the loop guard's event is written after the insert
    const loop = [
      rule({
        trigger: 'ticket_updated',
        conditions: [],
        actions: { addTags: ['on'], removeTags: ['off'] },
      }),
      rule(
        {
          trigger: 'ticket_updated',
          conditions: [c('tags', 'contains_any', 'on')],
          actions: { addTags: ['off'], removeTags: ['on'] },
        },
        { ...lead, id: '9' },
      ),
    ];
    expect(
      foldCreation([rule({ conditions: [], actions: { addTags: ['x'] } }), ...loop], draft, 5),
    ).toBeNull();
    // an editor who no longer works tickets: skipped, named in history, the tags unchanged
    const gone = foldCreation(
      [rule({ conditions: [], actions: { addTags: ['x'] } }, { ...lead, active: false })],
      draft,
      5,
    )!;
    expect(gone.tags).toEqual(['billing']);
    expect(gone.events).toEqual([
      expect.objectContaining({ type: 'rule_applied', toValue: expect.stringMatching(/skipped/) }),
    ]);
    expect(gone.updates).toEqual([]);
  });
});
