import { nameSimilarity, suggestActivity, suggestColumns } from './import-suggest';

describe('import suggestions', () => {
  it('scores alike names high and unrelated ones low', () => {
    expect(nameSimilarity('Customer-ID', 'customer_id')).toBe(1);
    expect(nameSimilarity('Ticket Subject', 'subject')).toBeGreaterThanOrEqual(0.9);
    expect(nameSimilarity('Opened', 'opened_at')).toBeGreaterThanOrEqual(0.9);
    expect(nameSimilarity('Region', 'priority')).toBeLessThan(0.6);
  });

  it("proposes the importer's own names first, then alike columns, each column once", () => {
    const s = suggestColumns('events', ['Case', 'Action', 'Timestamp', 'Agent', 'Account', 'Zone']);
    const by = Object.fromEntries(s.map((x) => [x.field, x.column]));
    expect(by.case_id).toBe('Case');
    expect(by.timestamp).toBe('Timestamp');
    expect(by.actor).toBe('Agent');
    expect(by.activity).toBeNull(); // "Action" is not alike enough to "activity" or "event"
    expect(by.customer).toBeNull(); // "Account" is not "customer": the admin chooses
    expect(new Set(s.filter((x) => x.column).map((x) => x.column)).size).toBe(
      s.filter((x) => x.column).length,
    );
    const t = suggestColumns('tickets', ['Ticket ID', 'Customer ID', 'Ticket Subject', 'Created']);
    const tb = Object.fromEntries(t.map((x) => [x.field, x.column]));
    expect(tb).toMatchObject({
      external_id: 'Ticket ID',
      customer: 'Customer ID',
      subject: 'Ticket Subject',
      created_at: 'Created',
    });
  });

  it('maps activities by the default table, then by likeness, else leaves them to choose', () => {
    expect(suggestActivity('Resolved')).toBe('solved');
    expect(suggestActivity('Agent replies')).toBe('agent_reply');
    expect(suggestActivity('Escalated to tier 2')).toBeNull();
  });
});
