import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MediumDatabase, mediumDatabase } from '@staydesk/testing';
import { checkedValues, readSchemaColumns, renderSchemaTypes } from './schema-types';

describe('db.generated.ts (the typed SQL layer’s row types)', () => {
  let m: MediumDatabase;
  beforeAll(async () => {
    m = await mediumDatabase();
  });
  afterAll(() => m.close());

  it('is current: regenerated from the migrated template it is identical (run `npm run db:types`)', async () => {
    const generated = renderSchemaTypes(await readSchemaColumns(m.db));
    const checkedIn = readFileSync(join(__dirname, 'db.generated.ts'), 'utf8');
    expect(checkedIn).toBe(generated);
  });

  it('follows a column rename made by a migration', async () => {
    await m.rollback(async (tx) => {
      await tx.query(`ALTER TABLE follow_ups RENAME COLUMN due_at TO due_on`);
      const types = renderSchemaTypes(await readSchemaColumns(tx));
      const followUps = /export interface FollowUps \{[^}]*\}/.exec(types)![0];
      expect(followUps).toContain('dueOn: ColumnType<Date');
      expect(followUps).not.toContain('dueAt');
    });
  });

  it('reads an IN-list check as a union of its values, and nothing else', () => {
    expect(
      checkedValues('status', "CHECK ((status = ANY (ARRAY['open'::text, 'it''s'::text])))"),
    ).toEqual(['open', "it's"]);
    expect(checkedValues('score', 'CHECK ((score >= (0)::double precision))')).toBeUndefined();
    expect(checkedValues('kind', "CHECK ((status = ANY (ARRAY['a'::text])))")).toBeUndefined();
  });
});
