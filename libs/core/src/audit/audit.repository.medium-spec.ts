import { sql } from 'kysely';
import { MediumDatabase, mediumDatabase } from '@staydesk/testing';
import { db } from '../database/typed-sql';
import { AuditRepository } from './audit.repository';

/** The audit log insert (typed builder) against a migrated database. */
describe('AuditRepository (medium)', () => {
  const repo = new AuditRepository();
  let m: MediumDatabase;
  beforeAll(async () => {
    m = await mediumDatabase();
  });
  afterAll(() => m.close());

  it('records an entry in the transaction, with its details as written', async () => {
    const details = { from_status: 'open', nested: { to_status: ['solved'] }, n: 3 };
    await m.rollback(async (tx) => {
      await repo.record(tx, {
        actorId: null,
        action: 'team.create',
        entity: 'team',
        entityId: '5',
        details,
      });
      await repo.record(tx, {
        actorId: null,
        action: 'team.update',
        entity: 'team',
        entityId: null,
      });
      const rows = await db(tx)
        .selectFrom('auditLog')
        .select((eb) => [
          'action',
          'entity',
          'entityId',
          sql<string | null>`${eb.ref('details')}::text`.as('detailsText'),
        ])
        .where('action', 'in', ['team.create', 'team.update'])
        .orderBy('id')
        .execute();
      expect(
        rows.map((r) => ({ ...r, details: r.detailsText && JSON.parse(r.detailsText) })),
      ).toEqual([
        {
          action: 'team.create',
          entity: 'team',
          entityId: '5',
          detailsText: expect.any(String),
          details,
        },
        { action: 'team.update', entity: 'team', entityId: null, detailsText: null, details: null },
      ]);
    });
  });
});
