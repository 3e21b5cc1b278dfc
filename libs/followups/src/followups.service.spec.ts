import { DomainError, Tx, encodeCursor } from '@staydesk/core';
import type { Actor } from '@staydesk/identity';
import { reminderJobId, reminderMail } from './followups.processor';
import type {
  FollowUpRow,
  FollowUpsRepository,
  NewFollowUp,
  OwnerRow,
} from './followups.repository';
import {
  FOLLOW_UPS_ORDER,
  decodeFollowUpCursor,
  listFilter,
  mayManage,
  validateDueAt,
  validateOutcome,
} from './followups.validation';
import { FollowUpsService } from './followups.service';

const agent: Actor = { id: '10', role: 'agent', teamId: null, teamIds: [], name: 'Ada' };
const otherAgent: Actor = { id: '11', role: 'agent', teamId: null, teamIds: [], name: 'Bo' };
const lead: Actor = { id: '12', role: 'team_lead', teamId: null, teamIds: [], name: 'Cy' };
const admin: Actor = { id: '13', role: 'admin', teamId: null, teamIds: [], name: 'Di' };
const am: Actor = { id: '14', role: 'account_manager', teamId: null, teamIds: [], name: 'Ed' };

function row(over: Partial<FollowUpRow> = {}): FollowUpRow {
  return {
    id: '1',
    customerId: '100',
    ticketId: null,
    ownerId: agent.id,
    kind: 'check_in',
    status: 'open',
    dueAt: new Date('2030-01-01T00:00:00Z'),
    note: null,
    outcome: null,
    createdById: agent.id,
    createdAt: new Date('2029-12-01T00:00:00Z'),
    completedAt: null,
    remindedAt: null,
    overdue: false,
    dueKey: '2030-01-01T00:00:00.000000Z',
    ...over,
  };
}

/** An in-memory stand-in for the repository: enough to exercise the rules, no database. */
class FakeRepo {
  rows = new Map<string, FollowUpRow>();
  users = new Map<string, OwnerRow>([
    ['10', { id: '10', name: 'Ada', email: 'ada@x.test', active: true }],
    ['11', { id: '11', name: 'Bo', email: 'bo@x.test', active: true }],
    ['99', { id: '99', name: 'Gone', email: 'gone@x.test', active: false }],
  ]);
  tickets = new Map([['500', '100']]);
  customers = new Set(['100', '101']);
  inserted: NewFollowUp[] = [];
  private next = 1;

  async byIds(_tx: Tx, ids: readonly string[]) {
    return ids.map((id) => this.rows.get(id)).filter((r): r is FollowUpRow => !!r);
  }
  async lockById(_tx: Tx, id: string) {
    return this.rows.get(id) ?? null;
  }
  async list() {
    return [];
  }
  async insert(_tx: Tx, f: NewFollowUp) {
    this.inserted.push(f);
    const r = row({ ...f, id: String(this.next++) });
    this.rows.set(r.id, r);
    return r;
  }
  async close(_tx: Tx, id: string, status: 'done' | 'cancelled', outcome: string | null) {
    const r = { ...this.rows.get(id)!, status, outcome, completedAt: new Date() };
    this.rows.set(id, r);
    return r;
  }
  async reschedule(_tx: Tx, id: string, dueAt: Date) {
    const r = { ...this.rows.get(id)!, dueAt, remindedAt: null };
    this.rows.set(id, r);
    return r;
  }
  async ownerById(_tx: Tx, id: string) {
    return this.users.get(id) ?? null;
  }
  async customerOfTicket(_tx: Tx, id: string) {
    return this.tickets.get(id) ?? null;
  }
  async customerExists(_tx: Tx, id: string) {
    return this.customers.has(id);
  }
}

function setup() {
  const repo = new FakeRepo();
  const tx = {} as Tx;
  const runner = { db: tx, run: <T>(work: (t: Tx) => Promise<T>) => work(tx) };
  const audit = { record: jest.fn(async () => undefined) };
  const service = new FollowUpsService(
    repo as unknown as FollowUpsRepository,
    runner as never,
    audit as never,
    { record: jest.fn(async () => '1') } as never,
    { hiddenTeamIds: async () => [] } as never,
  );
  return { repo, audit, service };
}

async function domainError(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

const future = () => new Date(Date.now() + 86_400_000);

describe('FollowUpsService rules', () => {
  describe('create', () => {
    it.each([
      [{ ticketId: '500', customerId: '100' }, 'customerId'],
      [{}, 'ticketId'],
    ])('needs exactly one of ticketId/customerId (%j)', async (ids, field) => {
      const { service, audit } = setup();
      const e = await domainError(
        service.create(agent, { ...ids, kind: 'check_in', dueAt: future() }),
      );
      expect(e.code).toBe('BAD_USER_INPUT');
      expect(e.details.field).toBe(field);
      expect(e.message).toMatch(/exactly one of ticketId or customerId/);
      expect(audit.record).not.toHaveBeenCalled();
    });

    it("takes the ticket's customer and defaults the owner to the actor", async () => {
      const { service, repo, audit } = setup();
      const f = await service.create(agent, {
        ticketId: '500',
        kind: 'check_in',
        dueAt: future(),
        note: '  call  ',
      });
      expect(repo.inserted[0]).toMatchObject({
        customerId: '100',
        ticketId: '500',
        ownerId: agent.id,
        createdById: agent.id,
        note: 'call',
      });
      expect(audit.record).toHaveBeenCalledWith(
        expect.anything(),
        expect.objectContaining({
          action: 'follow_up.create',
          entity: 'follow_up',
          entityId: f.id,
          actorId: agent.id,
        }),
      );
    });

    it.each([
      ['an unknown ticket', { ticketId: '404' }, 'NOT_FOUND', /ticket 404 was not found/],
      ['an unknown customer', { customerId: '404' }, 'NOT_FOUND', /customer 404 was not found/],
      [
        'an unknown owner',
        { customerId: '100', ownerId: '404' },
        'NOT_FOUND',
        /user 404 was not found/,
      ],
      [
        'a deactivated owner',
        { customerId: '100', ownerId: '99' },
        'BAD_USER_INPUT',
        /ownerId: user 99 is deactivated/,
      ],
      [
        'a malformed id',
        { customerId: 'abc' },
        'BAD_USER_INPUT',
        /customerId: "abc" is not a valid id/,
      ],
      [
        'an unknown kind',
        { customerId: '100', kind: 'nope' },
        'BAD_USER_INPUT',
        /kind: must be one of/,
      ],
      [
        'an invalid dueAt',
        { customerId: '100', dueAt: new Date('nope') },
        'BAD_USER_INPUT',
        /dueAt: must be a date-time/,
      ],
      [
        'a 5001-character note',
        { customerId: '100', note: 'x'.repeat(5001) },
        'BAD_USER_INPUT',
        /note: must be at most 5000/,
      ],
    ])('refuses %s', async (_title, input, code, message) => {
      const { service } = setup();
      const e = await domainError(
        service.create(agent, { kind: 'check_in', dueAt: future(), ...input } as never),
      );
      expect(e.code).toBe(code);
      expect(e.message).toMatch(message);
    });
  });

  describe('validateDueAt', () => {
    const now = new Date('2026-03-01T12:00:00Z');
    it('allows the past and up to two years ahead', () => {
      expect(validateDueAt(new Date('2020-01-01T00:00:00Z'), 'dueAt', now)).toBeInstanceOf(Date);
      expect(validateDueAt(new Date('2028-03-01T12:00:00Z'), 'dueAt', now)).toBeInstanceOf(Date);
    });
    it('refuses invalid dates and more than two years ahead', () => {
      expect(() => validateDueAt(new Date('x'), 'dueAt', now)).toThrow(
        /dueAt: must be a date-time/,
      );
      expect(() => validateDueAt(null, 'dueAt', now)).toThrow(/dueAt: must be a date-time/);
      expect(() => validateDueAt(new Date('2028-03-01T12:00:01Z'), 'dueAt', now)).toThrow(
        /at most 2 years from now/,
      );
    });
  });

  it('needs an outcome of 1 to 5000 characters', () => {
    expect(validateOutcome('  done ')).toBe('done');
    expect(() => validateOutcome('   ')).toThrow(/outcome: must not be empty/);
    expect(() => validateOutcome('x'.repeat(5001))).toThrow(/at most 5000/);
  });

  it('lets the owner, the creator, team leads and admins manage a follow-up', () => {
    const f = row({ ownerId: agent.id, createdById: am.id });
    expect(mayManage(agent, f)).toBe(true);
    expect(mayManage(am, f)).toBe(true);
    expect(mayManage(lead, f)).toBe(true);
    expect(mayManage(admin, f)).toBe(true);
    expect(mayManage(otherAgent, f)).toBe(false);
    expect(mayManage(otherAgent, row({ createdById: null }))).toBe(false);
  });

  describe('complete / cancel / reschedule', () => {
    it('completes an open follow-up once, then refuses naming the status', async () => {
      const { service, repo, audit } = setup();
      repo.rows.set('1', row());
      const done = await service.complete(agent, '1', ' called, all good ');
      expect(done).toMatchObject({ status: 'done', outcome: 'called, all good' });
      expect(audit.record).toHaveBeenCalledWith(
        expect.anything(),
        expect.objectContaining({ action: 'follow_up.complete', entityId: '1' }),
      );
      const e = await domainError(service.complete(agent, '1', 'again'));
      expect(e.code).toBe('BAD_USER_INPUT');
      expect(e.message).toBe('id: follow-up 1 is done: only open follow-ups can be completed');
      expect(e.details).toMatchObject({ field: 'id', status: 'done' });
    });

    it('refuses another agent with a message saying who may', async () => {
      const { service, repo } = setup();
      repo.rows.set('1', row());
      const e = await domainError(service.cancel(otherAgent, '1', null));
      expect(e.code).toBe('FORBIDDEN');
      expect(e.message).toMatch(/only the owner, the creator, a team lead or an admin may cancel/);
      expect(repo.rows.get('1')!.status).toBe('open');
    });

    it('checks input before touching the database', async () => {
      const { service } = setup();
      expect((await domainError(service.complete(agent, '1', ''))).details.field).toBe('outcome');
      expect((await domainError(service.complete(agent, 'x', 'ok'))).details.field).toBe('id');
      expect((await domainError(service.reschedule(agent, '1', new Date('x')))).details.field).toBe(
        'dueAt',
      );
      expect((await domainError(service.complete(agent, '7', 'ok'))).code).toBe('NOT_FOUND');
    });

    it('reschedules an open follow-up and clears the reminder', async () => {
      const { service, repo } = setup();
      repo.rows.set('1', row({ remindedAt: new Date() }));
      const due = future();
      const f = await service.reschedule(lead, '1', due);
      expect(f.dueAt).toEqual(due);
      expect(f.remindedAt).toBeNull();
    });

    it('keeps a cancel reason as the outcome', async () => {
      const { service, repo } = setup();
      repo.rows.set('1', row());
      expect(await service.cancel(admin, '1', ' not needed ')).toMatchObject({
        status: 'cancelled',
        outcome: 'not needed',
      });
    });
  });

  it('opens a follow-up inside a caller transaction', async () => {
    const { service, repo, audit } = setup();
    await service.openForOwner({} as Tx, {
      customerId: '100',
      ownerId: '11',
      kind: 'bad_csat_recovery',
      dueAt: future(),
      note: 'survey score 1',
    });
    expect(repo.inserted[0]).toMatchObject({
      ticketId: null,
      createdById: null,
      kind: 'bad_csat_recovery',
    });
    expect(audit.record).toHaveBeenCalledTimes(1);
  });

  describe('listing', () => {
    it('maps mine to the actor and refuses a contradicting ownerId', () => {
      expect(listFilter(agent, { mine: true, overdue: true })).toEqual({
        ownerId: agent.id,
        overdue: true,
      });
      expect(() => listFilter(agent, { mine: true, ownerId: '11' })).toThrow(
        /filter.ownerId: contradicts/,
      );
      expect(() => listFilter(agent, { dueBefore: new Date('x') })).toThrow(/filter.dueBefore/);
      expect(() => listFilter(agent, { customerId: '0' })).toThrow(/filter.customerId/);
    });

    it('round-trips cursors with microseconds and refuses foreign ones', () => {
      const c = encodeCursor(FOLLOW_UPS_ORDER, ['2030-01-01T00:00:00.123456Z', '42']);
      expect(decodeFollowUpCursor(c)).toEqual({ dueKey: '2030-01-01T00:00:00.123456Z', id: '42' });
      expect(() =>
        decodeFollowUpCursor(encodeCursor(FOLLOW_UPS_ORDER, ['yesterday', '42'])),
      ).toThrow(/after: malformed cursor/);
      expect(() => decodeFollowUpCursor(encodeCursor('customers_name', ['a', '1']))).toThrow(
        /issued for ordering/,
      );
    });
  });
});

describe('reminders', () => {
  const f = {
    ...row({
      id: '7',
      ticketId: '500',
      note: 'Ask about <b>renewal</b>',
      kind: 'at_risk_outreach',
    }),
    ownerName: 'Ada',
    ownerEmail: 'ada@x.test',
    ownerActive: true,
    customerName: 'Acme\r\nBcc: evil@x.test',
  };

  it('builds the e-mail to the owner, with the note escaped in HTML and a one-line subject', () => {
    const m = reminderMail(f, 'https://desk.example.com');
    expect(m.to).toBe('ada@x.test');
    expect(m.subject).toBe('Follow-up due: at-risk outreach for Acme Bcc: evil@x.test');
    expect(m.text).toContain('Ask about <b>renewal</b>');
    expect(m.text).toContain('2030-01-01T00:00:00.000Z');
    expect(m.text).toContain('https://desk.example.com/graphql');
    expect(m.html).toContain('Ask about &lt;b&gt;renewal&lt;/b&gt;');
  });

  it('gives a reminder job a deterministic id without ":" that changes with the due time', () => {
    const a = reminderJobId({ id: '7', dueKey: '2030-01-01T00:00:00.000000Z' });
    expect(a).toBe('followup-remind-7-20300101000000000000');
    expect(a).not.toContain(':');
    expect(reminderJobId({ id: '7', dueKey: '2030-01-02T00:00:00.000000Z' })).not.toBe(a);
  });
});
