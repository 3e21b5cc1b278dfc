import {
  ImportInputError,
  enumValue,
  parseMapFlag,
  parseMappingFile,
  resolveHeader,
  resolveOptions,
} from './import-mapping';

describe('import mapping', () => {
  it('parses --map with spaces in column names', () => {
    expect(
      parseMapFlag('customer=Customer,timestamp=Complete Timestamp, actor="Resource"'),
    ).toEqual({ customer: 'Customer', timestamp: 'Complete Timestamp', actor: 'Resource' });
  });

  it('reads mapping files as JSON or YAML and refuses unknown keys', () => {
    expect(parseMappingFile('{"columns": {"case_id": "Case"}}')).toEqual({
      columns: { case_id: 'Case' },
    });
    expect(parseMappingFile('columns:\n  case_id: Case\n')).toEqual({
      columns: { case_id: 'Case' },
    });
    expect(() => parseMappingFile('colums: {}')).toThrow(/unknown key "colums"/);
  });

  it('finds our export columns by default and keeps the rest as custom fields', () => {
    const o = resolveOptions({ kind: 'events' });
    const h = resolveHeader(o, ['Case ID', 'Activity', 'Timestamp', 'Customer', 'Region']);
    expect(h.index).toEqual({ case_id: 0, activity: 1, timestamp: 2, customer: 3 });
    expect(h.extras).toEqual([['Region', 4]]);
  });

  it('stops on a mapped column missing from the header, naming it and the header', () => {
    const o = resolveOptions({ kind: 'events', columns: { timestamp: 'Complete Timestamp' } });
    const header = ['Case ID', 'Activity', 'When', 'Customer'];
    expect(() => resolveHeader(o, header)).toThrow(ImportInputError);
    expect(() => resolveHeader(o, header)).toThrow(
      'column "Complete Timestamp" (mapped to timestamp) is not in the header; the header\'s columns are "Case ID", "Activity", "When", "Customer"',
    );
    expect(() =>
      resolveHeader(resolveOptions({ kind: 'events' }), ['Case ID', 'Activity']),
    ).toThrow(/no column for the required field timestamp/);
  });

  it('refuses unknown fields, effects and sources', () => {
    expect(() => resolveOptions({ kind: 'events', columns: { case: 'x' } })).toThrow(
      /"case" is not a events field/,
    );
    expect(() => resolveOptions({ kind: 'events', activities: { Done: 'finished' } })).toThrow(
      /maps to "finished"/,
    );
    expect(() => resolveOptions({ kind: 'tickets', source: 'Bad Source!' })).toThrow(/source/);
    expect(() => resolveOptions({ kind: 'orders' })).toThrow(/kind must be one of/);
  });

  it('normalises enum values through the value map', () => {
    const o = resolveOptions({ kind: 'tickets', values: { priority: { P1: 'urgent' } } });
    expect(enumValue(o, 'priority', 'p1', ['low', 'normal', 'high', 'urgent'])).toBe('urgent');
    expect(enumValue(o, 'status', 'On hold', ['open', 'on_hold'])).toBe('on_hold');
    expect(enumValue(o, 'priority', 'asap', ['low', 'normal'])).toBeNull();
  });

  it('refuses a duplicated column name unless each is renamed, mapped or ignored by position', () => {
    const header = ['id', 'category', 'customer', 'Category', 'subject', 'created_at'];
    expect(() => resolveHeader(resolveOptions({ kind: 'tickets' }), header)).toThrow(
      'column "category" appears 2 times in the header (columns #2, #4)',
    );
    const renamed = resolveHeader(
      resolveOptions({ kind: 'tickets', rename: { '#4': 'subcategory' } }),
      header,
    );
    expect(renamed.extras).toEqual([
      ['category', 1],
      ['subcategory', 3],
    ]);
    const positions = resolveHeader(
      resolveOptions({ kind: 'tickets', columns: { subject: '#2' }, ignore: ['#4'] }),
      header,
    );
    expect(positions.index.subject).toBe(1);
    expect(positions.extras).toEqual([['subject', 4]]);
    expect(() =>
      resolveHeader(resolveOptions({ kind: 'tickets', columns: { subject: '#9' } }), header),
    ).toThrow(/column #9 \(mapped to subject\) is past the end of the header/);
    expect(() => resolveOptions({ kind: 'tickets', rename: { category: 'x' } })).toThrow(
      /not a column position like "#3"/,
    );
  });

  it('checks nullValues and skipUnmapped, and keeps no custom field with skipUnmapped', () => {
    expect(
      resolveOptions({ kind: 'events', nullValues: [' ? ', 'N/A', 'n/a'] }).nullValues,
    ).toEqual(['?', 'n/a']);
    expect(() => resolveOptions({ kind: 'events', nullValues: '?' as never })).toThrow(
      ImportInputError,
    );
    const o = resolveOptions({ kind: 'events', skipUnmapped: true });
    expect(
      resolveHeader(o, ['case_id', 'activity', 'timestamp', 'customer', 'Region']).extras,
    ).toEqual([]);
  });
});
