import { CursorValue, db } from '@staydesk/core';
import { MediumDatabase, fixtures, mediumDatabase } from '@staydesk/testing';
import type { TimelineRow } from './customer-timeline.sql';
import { CustomersRepository } from './customers.repository';
import { customerKeyset } from './customers.rows';
import type { CustomerOrder, CustomerRow } from './customers.rows';
import { mrrHistoryOf, recordMrrHistory } from './mrr-history';

/** The customers SQL (typed builder and the timeline's SQL template) against a migrated database. */
describe('CustomersRepository (medium)', () => {
  const repo = new CustomersRepository();
  let m: MediumDatabase;
  let am: string;

  beforeAll(async () => {
    m = await mediumDatabase();
    am = await fixtures(m.db).user({ email: 'am@x.test', name: 'Ann', role: 'account_manager' });
  });
  afterAll(() => m.close());

  const newCustomer = (name: string, over: Partial<CustomerRow> = {}) =>
    repo.insert(m.db, {
      name,
      domain: null,
      tier: 'pro',
      mrr: 100,
      accountManagerId: null,
      customerSince: new Date('2026-01-01T00:00:00Z'),
      renewalDate: null,
      customFields: {},
      ...over,
    });

  describe('customers and contacts', () => {
    it('writes and reads a typed row; snake_case custom field keys survive', async () => {
      const c = await newCustomer('Keys Ltd', {
        domain: 'keys.test',
        mrr: 1234.5,
        accountManagerId: am,
        renewalDate: '2027-03-31',
        customFields: { plan_tier: 'gold', seat_count: 3, nested_obj: { inner_key: true } },
      });
      expect(c).toMatchObject({
        name: 'Keys Ltd',
        domain: 'keys.test',
        tier: 'pro',
        mrr: 1234.5,
        accountManagerId: am,
        status: 'active',
        churnedAt: null,
        renewalDate: '2027-03-31',
        customFields: { plan_tier: 'gold', seat_count: 3, nested_obj: { inner_key: true } },
      });
      expect(typeof c.id).toBe('string');
      expect(c.customerSince).toBeInstanceOf(Date);
      expect(await repo.byIds(m.db, [c.id])).toEqual([c]);
      expect(await repo.lockById(m.db, c.id)).toEqual(c);
      expect(await repo.lockById(m.db, '999999999')).toBeNull();
    });

    it('updates only the given fields; undefined keeps, null clears a nullable column', async () => {
      const c = await newCustomer('Patch Co', { domain: 'patch.test', renewalDate: '2027-01-01' });
      const a = await repo.update(m.db, c.id, { mrr: 50, domain: null });
      expect(a).toMatchObject({
        name: 'Patch Co',
        mrr: 50,
        domain: null,
        renewalDate: '2027-01-01',
      });
      expect(a.updatedAt.getTime()).toBeGreaterThanOrEqual(c.updatedAt.getTime());
      const churnedAt = new Date('2026-06-01T00:00:00Z');
      const b = await repo.update(m.db, c.id, {
        status: 'churned',
        churnedAt,
        customFields: { renew_plan: 'no' },
      });
      expect(b).toMatchObject({ status: 'churned', churnedAt, customFields: { renew_plan: 'no' } });
      const s = await repo.insertStatusChange(m.db, {
        customerId: c.id,
        fromStatus: 'active',
        toStatus: 'churned',
        reason: 'price',
        actorId: am,
      });
      expect(s).toMatchObject({ customerId: c.id, fromStatus: 'active', toStatus: 'churned' });
      expect(await repo.statusChangesByCustomerIds(m.db, [c.id])).toEqual([s]);
    });

    it('contacts: ordered by name, CONFLICT on a repeated e-mail, partial update', async () => {
      const c = await newCustomer('Contacts Inc');
      const base = { customerId: c.id, phone: null, surveyOptOut: false };
      const zed = await repo.insertContact(m.db, { ...base, name: 'zed', email: 'z@c.test' });
      const amy = await repo.insertContact(m.db, { ...base, name: 'Amy', email: 'a@c.test' });
      expect((await repo.contactsByCustomerIds(m.db, [c.id])).map((x) => x.id)).toEqual([
        amy.id,
        zed.id,
      ]);
      await expect(
        repo.insertContact(m.db, { ...base, name: 'Again', email: 'a@c.test' }),
      ).rejects.toMatchObject({ code: 'CONFLICT', details: { field: 'email' } });
      const changed = await repo.updateContact(m.db, zed.id, {
        phone: '+1 555',
        surveyOptOut: true,
      });
      expect(changed).toMatchObject({
        name: 'zed',
        email: 'z@c.test',
        phone: '+1 555',
        surveyOptOut: true,
      });
      expect(await repo.contactsByIds(m.db, [zed.id])).toEqual([changed]);
      expect(await repo.updateContact(m.db, '999999999', { name: 'x' })).toBeNull();
    });

    it('lists with filters and pages every ordering by its keyset', async () => {
      const tag = 'listtag';
      const made: CustomerRow[] = [];
      for (const [i, name] of ['b-one', 'A-two', 'c-three', 'a-four', 'B-five'].entries()) {
        made.push(
          await newCustomer(`${tag} ${name}`, {
            mrr: [10, 30, 30, 5, 20][i],
            renewalDate: i % 2 ? `2027-0${i + 1}-01` : null,
            customFields: { list_tag: tag, odd_one: i % 2 === 1 },
          }),
        );
      }
      await repo.insertContact(m.db, {
        customerId: made[0].id,
        name: 'Finder',
        email: 'findme@else.test',
        phone: null,
        surveyOptOut: false,
      });
      const ids = (rows: CustomerRow[]) => rows.map((r) => r.id);
      expect(ids(await repo.list(m.db, { search: 'FINDME' }, 'name', null, 10))).toEqual([
        made[0].id,
      ]);
      expect(
        ids(
          await repo.list(
            m.db,
            { customFields: { list_tag: tag, odd_one: true } },
            'name',
            null,
            10,
          ),
        ),
      ).toEqual([made[3].id, made[1].id]); // 'a-four' before 'A-two': by lower(name)

      const orders: CustomerOrder[] = [
        'name',
        'mrr_desc',
        'renewal',
        'lifetime_value_desc',
        'expected_value_desc',
      ];
      for (const order of orders) {
        const filter = { search: tag };
        const all = await repo.list(m.db, filter, order, null, 50);
        expect(all).toHaveLength(5);
        const paged: CustomerRow[] = [];
        let after: CursorValue[] | null = null;
        for (let i = 0; i < 10; i++) {
          const page = await repo.list(m.db, filter, order, after, 2);
          paged.push(...page);
          if (page.length < 2) break;
          // the cursor as the API hands it out and takes it back
          const keyset = customerKeyset(order);
          after = keyset.decode(keyset.encode(repo.sortValues(page[page.length - 1], order)));
        }
        expect(ids(paged)).toEqual(ids(all));
      }
      const byName = await repo.list(m.db, { search: tag }, 'name', null, 50);
      expect(byName.map((r) => r.name.slice(tag.length + 1))).toEqual([
        'a-four',
        'A-two',
        'B-five',
        'b-one',
        'c-three',
      ]);
      const byMrr = await repo.list(m.db, { search: tag }, 'mrr_desc', null, 50);
      expect(byMrr.map((r) => r.mrr)).toEqual([30, 30, 20, 10, 5]);
      expect(byMrr[0].ltvKey).toBe(-1);
    });

    it('records MRR history only when it changes (first entry at customer_since)', async () => {
      const c = await newCustomer('Mrr Co', { mrr: 70 });
      expect(await recordMrrHistory(m.db, [{ customerId: c.id, mrr: 70 }], 'app', am)).toBe(1);
      expect(await recordMrrHistory(m.db, [{ customerId: c.id, mrr: 70 }], 'app', am)).toBe(0);
      expect(await recordMrrHistory(m.db, [{ customerId: c.id, mrr: null }], 'import', null)).toBe(
        1,
      );
      const h = await mrrHistoryOf(m.db, [c.id]);
      expect(h).toMatchObject([
        { customerId: c.id, mrr: 70, source: 'app', actorId: am },
        { customerId: c.id, mrr: null, source: 'import', actorId: null },
      ]);
      expect(h[0].effectiveFrom.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    });
  });

  describe('writes inside other libraries’ transactions (mail, surveys, custom fields)', () => {
    const contactState = (id: string) =>
      db(m.db)
        .selectFrom('contacts')
        .select([
          'contacts.name',
          'contacts.email',
          'contacts.emailBouncingAt',
          'contacts.emailBounceReason',
          'contacts.surveyOptOut',
          'contacts.updatedAt',
        ])
        .where('contacts.id', '=', id)
        .executeTakeFirstOrThrow();

    it('a mail sender’s customer (free, name cut to 200) and one contact per address in any case', async () => {
      const id = await repo.insertSenderCustomer(m.db, `Sender ${'x'.repeat(250)}`, 'sender.test');
      const [c] = await repo.byIds(m.db, [id]);
      expect(c).toMatchObject({ domain: 'sender.test', tier: 'free', status: 'active' });
      expect(c.name).toBe(`Sender ${'x'.repeat(250)}`.slice(0, 200));
      const publicSender = await repo.insertSenderCustomer(m.db, 'Pat', null);
      expect((await repo.byIds(m.db, [publicSender]))[0]).toMatchObject({
        name: 'Pat',
        domain: null,
        tier: 'free',
      });

      const ann = await repo.ensureContact(m.db, id, 'Ann', 'Ann@sender.test');
      const before = await contactState(ann);
      expect(before).toMatchObject({ name: 'Ann', email: 'Ann@sender.test', surveyOptOut: false });
      // the same address in another case: the same contact, left as it was
      expect(await repo.ensureContact(m.db, id, 'Someone else', 'ANN@SENDER.test')).toBe(ann);
      expect(await contactState(ann)).toEqual(before);
      expect(await repo.contactsByCustomerIds(m.db, [id])).toHaveLength(1);
      // another customer's contact with that address is another contact
      const other = await repo.ensureContact(m.db, publicSender, 'Ann', 'ann@sender.test');
      expect(other).not.toBe(ann);
      const long = await repo.ensureContact(m.db, id, 'y'.repeat(300), 'long@sender.test');
      expect((await contactState(long)).name).toBe('y'.repeat(200));
    });

    it('marks every contact with one of the addresses bouncing; clears by one contact’s address', async () => {
      const c1 = await newCustomer('Bounce One');
      const c2 = await newCustomer('Bounce Two');
      const base = { phone: null, surveyOptOut: false };
      const bo1 = await repo.insertContact(m.db, {
        ...base,
        customerId: c1.id,
        name: 'Bo',
        email: 'Bo@bounce.test',
      });
      const bo2 = await repo.insertContact(m.db, {
        ...base,
        customerId: c2.id,
        name: 'Bo',
        email: 'bo@BOUNCE.test',
      });
      const cy = await repo.insertContact(m.db, {
        ...base,
        customerId: c1.id,
        name: 'Cy',
        email: 'cy@bounce.test',
      });
      const dan = await repo.insertContact(m.db, {
        ...base,
        customerId: c1.id,
        name: 'Dan',
        email: 'dan@bounce.test',
      });
      expect(await repo.markAddressesBouncing(m.db, [], '550 gone')).toBe(0);
      const reason = `550 ${'z'.repeat(600)}`;
      expect(
        await repo.markAddressesBouncing(
          m.db,
          ['BO@bounce.test', 'cy@bounce.test', 'none@bounce.test'],
          reason,
        ),
      ).toBe(3);
      for (const id of [bo1.id, bo2.id, cy.id]) {
        const s = await contactState(id);
        expect(s.emailBouncingAt).toBeInstanceOf(Date);
        expect(s.emailBounceReason).toBe(reason.slice(0, 500));
      }
      expect(await contactState(dan.id)).toMatchObject({
        emailBouncingAt: null,
        emailBounceReason: null,
      });

      expect(await repo.clearAddressBouncing(m.db, bo2.id)).toEqual({
        email: 'bo@BOUNCE.test',
        customerId: c2.id,
        cleared: 2,
      });
      for (const id of [bo1.id, bo2.id]) {
        expect(await contactState(id)).toMatchObject({
          emailBouncingAt: null,
          emailBounceReason: null,
        });
      }
      expect((await contactState(cy.id)).emailBouncingAt).toBeInstanceOf(Date);
      expect(await repo.clearAddressBouncing(m.db, bo1.id)).toEqual({
        email: 'Bo@bounce.test',
        customerId: c1.id,
        cleared: 0,
      });
      expect(await repo.clearAddressBouncing(m.db, '999999999')).toBeNull();
    });

    it('opts one contact out of surveys', async () => {
      const c = await newCustomer('Opt Co');
      const base = { customerId: c.id, phone: null, surveyOptOut: false };
      const out = await repo.insertContact(m.db, { ...base, name: 'Out', email: 'out@opt.test' });
      const stay = await repo.insertContact(m.db, { ...base, name: 'In', email: 'in@opt.test' });
      const before = await contactState(out.id);
      await repo.optOutOfSurveys(m.db, out.id);
      const after = await contactState(out.id);
      expect(after.surveyOptOut).toBe(true);
      expect(after.updatedAt.getTime()).toBeGreaterThanOrEqual(before.updatedAt.getTime());
      expect((await contactState(stay.id)).surveyOptOut).toBe(false);
    });

    it('merges and drops custom field values, keeping their snake_case keys', async () => {
      const c = await newCustomer('Fields Co', {
        customFields: { contract_end: '2027-01-01', plan_tier: 'silver' },
      });
      const values = await m.run((tx) =>
        repo.changeCustomFieldValues(tx, c.id, { account_tier: 'gold', plan_tier: 'gold' }, [
          'contract_end',
        ]),
      );
      expect(values).toEqual({ account_tier: 'gold', plan_tier: 'gold' });
      const [after] = await repo.byIds(m.db, [c.id]);
      expect(after.customFields).toEqual(values);
      expect(after.updatedAt.getTime()).toBeGreaterThanOrEqual(c.updatedAt.getTime());
      expect(await repo.changeCustomFieldValues(m.db, '999999999', {}, [])).toBeNull();
    });
  });

  describe('timeline', () => {
    let customer: string;
    let visibleTicket: string;
    let hiddenTicket: string;
    let privateTeam: string;
    const at = (min: number) => new Date(Date.UTC(2026, 4, 1, 12, min, 0, 123));

    beforeAll(async () => {
      const k = db(m.db);
      const f = fixtures(m.db);
      customer = (await newCustomer('Timeline Co')).id;
      const other = (await newCustomer('Other Co')).id;
      privateTeam = await f.team({ name: 'Secret', isPrivate: true });
      const cy = await f.contact({ customerId: customer, email: 'cy@tl.test' });
      const oz = await f.contact({ customerId: other, email: 'oz@other.test' });
      const ticket = (
        customerId: string,
        requesterId: string,
        subject: string,
        min: number,
        teamId: string | null,
      ) =>
        f.ticket({
          customerId,
          requesterId,
          subject,
          teamId,
          createdById: am,
          createdAt: at(min),
        });
      visibleTicket = await ticket(customer, cy, 'Visible', 0, null);
      hiddenTicket = await ticket(customer, cy, 'Hidden', 1, privateTeam);
      const otherTicket = await ticket(other, oz, 'Not ours', 2, null);
      await k
        .insertInto('ticketMessages')
        .values([
          {
            ticketId: visibleTicket,
            kind: 'customer_message',
            authorContactId: cy,
            body: 'x'.repeat(600),
            createdAt: at(3),
          },
          {
            ticketId: visibleTicket,
            kind: 'public_reply',
            authorUserId: am,
            body: 'reply',
            createdAt: at(5),
          },
          {
            ticketId: hiddenTicket,
            kind: 'customer_message',
            authorContactId: cy,
            body: 'secret',
            createdAt: at(4),
          },
          {
            ticketId: otherTicket,
            kind: 'customer_message',
            authorContactId: oz,
            body: 'other',
            createdAt: at(4),
          },
        ])
        .execute();
      await k
        .insertInto('ticketEvents')
        .values([
          {
            ticketId: visibleTicket,
            type: 'status_changed',
            actorId: am,
            fromValue: 'open',
            toValue: 'pending',
            createdAt: at(6),
          },
          // not a status change: not in the timeline
          {
            ticketId: visibleTicket,
            type: 'priority_changed',
            actorId: am,
            fromValue: 'normal',
            toValue: 'high',
            createdAt: at(6),
          },
        ])
        .execute();
      await k
        .insertInto('followUps')
        .values([
          {
            customerId: customer,
            ownerId: am,
            kind: 'check_in',
            dueAt: at(60),
            note: 'call',
            createdById: am,
            createdAt: at(7),
          },
          {
            customerId: customer,
            ticketId: hiddenTicket,
            ownerId: am,
            kind: 'custom',
            dueAt: at(60),
            note: 'hush',
            createdById: am,
            createdAt: at(7),
          },
        ])
        .execute();
      await k
        .insertInto('customerStatusChanges')
        .values({
          customerId: customer,
          fromStatus: 'active',
          toStatus: 'churned',
          reason: 'moved',
          actorId: am,
          changedAt: at(8),
        })
        .execute();
      await k
        .insertInto('surveys')
        .values([
          {
            kind: 'csat',
            ticketId: visibleTicket,
            solveCycle: 1,
            contactId: cy,
            customerId: customer,
            tokenSalt: 's1',
            tokenHash: 'h1',
            expiresAt: at(600),
            respondedAt: at(8), // the same instant as the status change: ordered by sortId
            score: 5,
            comment: 'great',
          },
          // not answered: not in the timeline
          {
            kind: 'csat',
            ticketId: visibleTicket,
            solveCycle: 2,
            contactId: cy,
            customerId: customer,
            tokenSalt: 's2',
            tokenHash: 'h2',
            expiresAt: at(600),
          },
        ])
        .execute();
    });

    const page = (
      before: { at: string; sortId: string } | null,
      limit: number,
      hidden: string[] = [],
    ) => repo.timeline(m.db, customer, before, limit, hidden);

    it('merges every kind, newest first, with typed rows and a microsecond cursor key', async () => {
      const all = await page(null, 50);
      expect(all.map((e) => e.kind)).toEqual([
        'survey_answered',
        'customer_status_changed',
        'follow_up',
        'follow_up',
        'ticket_status_changed',
        'message',
        'message',
        'message',
        'ticket_created',
        'ticket_created',
      ]);
      for (let i = 1; i < all.length; i++) {
        const [a, b] = [all[i - 1], all[i]];
        expect(
          a.at.getTime() > b.at.getTime() ||
            (a.at.getTime() === b.at.getTime() && a.sortId > b.sortId),
        ).toBe(true);
      }
      const created = all.find((e) => e.kind === 'ticket_created' && e.ticketId === visibleTicket)!;
      expect(created).toMatchObject<Partial<TimelineRow>>({
        title: 'Visible',
        body: null,
        actorUserId: am,
        toValue: 'email',
        refId: visibleTicket,
      });
      expect(created.at).toBeInstanceOf(Date);
      expect(created.atKey).toMatch(/^2026-05-01T12:00:00\.123000Z$/);
      expect(created.sortId).toBe(`t${visibleTicket.padStart(20, '0')}`);
      const long = all.find(
        (e) => e.kind === 'message' && e.actorContactId !== null && e.ticketId === visibleTicket,
      )!;
      expect(long.body).toHaveLength(500);
      expect(all.find((e) => e.kind === 'ticket_status_changed')).toMatchObject({
        fromValue: 'open',
        toValue: 'pending',
      });
      expect(all.find((e) => e.kind === 'survey_answered')).toMatchObject({
        title: 'csat',
        body: 'great',
        fromValue: null,
        toValue: '5',
      });
      expect(all.find((e) => e.kind === 'customer_status_changed')).toMatchObject({
        title: 'churned',
        fromValue: 'active',
        body: 'moved',
      });
      expect(all.find((e) => e.kind === 'follow_up' && e.ticketId === null)?.toValue).toBe(
        '2026-05-01T13:00:00Z',
      );
    });

    it('leaves out a private team’s ticket and everything about it', async () => {
      const seen = await page(null, 50, [privateTeam]);
      expect(seen).toHaveLength(7);
      expect(seen.some((e) => e.ticketId === hiddenTicket)).toBe(false);
      expect(seen.some((e) => e.body === 'secret' || e.body === 'hush')).toBe(false);
    });

    it('pages by (at, sortId) strictly before the cursor, without gaps or repeats', async () => {
      const all = await page(null, 50);
      const paged: TimelineRow[] = [];
      let before: { at: string; sortId: string } | null = null;
      for (let i = 0; i < 20; i++) {
        const rows: TimelineRow[] = await page(before, 3);
        paged.push(...rows);
        if (rows.length < 3) break;
        const last = rows[rows.length - 1];
        before = { at: last.atKey, sortId: last.sortId };
      }
      expect(paged.map((e) => e.sortId)).toEqual(all.map((e) => e.sortId));
    });
  });
});
