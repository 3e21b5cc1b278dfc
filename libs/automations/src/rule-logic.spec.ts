import { TicketFacts, evaluate, hasWord, tagsAfter, validateConditions } from './rule-logic';

const facts: TicketFacts = {
  channel: 'chat',
  priority: 'high',
  status: 'open',
  tier: 'pro',
  riskBand: null,
  customerId: '7',
  teamId: null,
  tags: ['vip'],
  text: 'Printer down\nPlease issue a refund.',
  withinBusinessHours: false,
  customFields: { plan: 'gold', seats: 12 },
};

describe('rule logic', () => {
  it('matches whole words in any case, not parts of words', () => {
    expect(hasWord(facts.text, 'REFUND')).toBe(true);
    expect(hasWord('refunded twice', 'refund')).toBe(false);
    expect(hasWord('Größe passt nicht', 'größe')).toBe(true);
    expect(hasWord('see a.b here', 'a.b')).toBe(true);
    expect(hasWord('see axb here', 'a.b')).toBe(false);
  });

  it('requires every condition and explains each', () => {
    const r = evaluate(
      [
        { field: 'channel', operator: 'is', values: ['chat'] },
        { field: 'risk_band', operator: 'is_not', values: ['high'] },
        { field: 'business_hours', operator: 'within', values: [] },
      ],
      facts,
    );
    expect(r.matched).toBe(false);
    expect(r.results.map((x) => [x.matched, x.actual])).toEqual([
      [true, 'chat'],
      [true, '(none)'],
      [false, 'outside business hours'],
    ]);
    expect(evaluate([], facts).matched).toBe(true);
    expect(
      evaluate(
        [
          { field: 'custom.plan', operator: 'is', values: ['gold'] },
          { field: 'custom.seats', operator: 'is', values: ['12'] },
          { field: 'custom.missing', operator: 'is_not', values: ['x'] },
        ],
        facts,
      ).matched,
    ).toBe(true);
  });

  it('normalizes values and refuses what cannot work, naming the condition', () => {
    expect(
      validateConditions('ticket_created', [
        { field: 'tags', operator: 'contains_any', values: [' VIP '] },
        { field: 'words', operator: 'contains_any', values: ['Refund'] },
      ]),
    ).toEqual([
      { field: 'tags', operator: 'contains_any', values: ['vip'] },
      { field: 'words', operator: 'contains_any', values: ['refund'] },
    ]);
    expect(() =>
      validateConditions('time', [{ field: 'pending_hours', operator: 'at_least', values: ['x'] }]),
    ).toThrow(/one whole number/);
    expect(() =>
      validateConditions('ticket_created', [
        { field: 'customer', operator: 'is', values: ['abc'] },
      ]),
    ).toThrow(/not a customer id/);
  });

  it('adds and removes tags', () => {
    expect(tagsAfter(['a', 'b'], { addTags: ['c'], removeTags: ['a'] })).toEqual(['b', 'c']);
  });
});
