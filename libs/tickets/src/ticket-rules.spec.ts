import {
  assertMove,
  nextDueAt,
  normalizeTags,
  slaBreaches,
  statusAfterMessage,
  validateBody,
  validateSubject,
} from './ticket-rules';

const at = (s: string) => new Date(`2026-01-01T${s}:00Z`);

describe('ticket state machine', () => {
  it.each([
    ['new', 'open'],
    ['open', 'pending'],
    ['pending', 'on_hold'],
    ['on_hold', 'solved'],
    ['solved', 'open'],
    ['solved', 'closed'],
  ] as const)('allows %s → %s', (from, to) => {
    expect(() => assertMove(from, to)).not.toThrow();
  });

  it.each([
    ['closed', 'open', 'cannot move a ticket from closed to open: closed is final'],
    [
      'new',
      'closed',
      'cannot move a ticket from new to closed (from new it can go to open, pending, on_hold, solved)',
    ],
    ['open', 'new', 'cannot move a ticket from open to new'],
    ['open', 'open', 'the ticket is already open'],
  ] as const)('refuses %s → %s naming the move', (from, to, message) => {
    expect(() => assertMove(from, to)).toThrow(message);
  });

  it('wakes up tickets when the customer writes', () => {
    expect(statusAfterMessage('pending', 'customer_message')).toBe('open');
    expect(statusAfterMessage('solved', 'customer_message')).toBe('open');
    expect(statusAfterMessage('new', 'public_reply')).toBe('open');
    expect(statusAfterMessage('pending', 'internal_note')).toBe('pending');
    expect(() => statusAfterMessage('closed', 'customer_message')).toThrow('closed is final');
  });
});

describe('SLA', () => {
  const base = {
    status: 'open' as const,
    firstResponseAt: null,
    solvedAt: null,
    firstResponseDueAt: at('10:00'),
    resolutionDueAt: at('18:00'),
  };

  it('works against the first-response target first, then resolution', () => {
    expect(nextDueAt(base)).toEqual(at('10:00'));
    expect(nextDueAt({ ...base, firstResponseAt: at('09:00') })).toEqual(at('18:00'));
    expect(nextDueAt({ ...base, status: 'solved', solvedAt: at('11:00') })).toBeNull();
  });

  it('flags breaches met late or still unmet past due', () => {
    expect(slaBreaches(base, at('09:00'))).toEqual({
      firstResponse: false,
      resolution: false,
      nextReply: false,
    });
    expect(slaBreaches(base, at('10:01'))).toEqual({
      firstResponse: true,
      resolution: false,
      nextReply: false,
    });
    expect(slaBreaches({ ...base, firstResponseAt: at('09:59') }, at('19:00'))).toEqual({
      firstResponse: false,
      resolution: true,
      nextReply: false,
    });
    expect(
      slaBreaches(
        { ...base, status: 'solved', firstResponseAt: at('09:00'), solvedAt: at('17:00') },
        at('23:00'),
      ),
    ).toEqual({ firstResponse: false, resolution: false, nextReply: false });
  });
});

describe('input rules', () => {
  it('normalizes tags', () => {
    expect(normalizeTags(['Billing', 'bug', 'billing '])).toEqual(['billing', 'bug']);
    expect(() => normalizeTags(['no spaces'])).toThrow('is not a tag');
    expect(() => normalizeTags(Array.from({ length: 21 }, (_, i) => `t${i}`))).toThrow(
      'at most 20 tags',
    );
  });

  it('bounds subjects and bodies', () => {
    expect(() => validateSubject('  ')).toThrow('subject: must not be empty');
    expect(() => validateSubject('x'.repeat(501))).toThrow('at most 500 characters (got 501)');
    expect(() => validateBody('x'.repeat(65_537))).toThrow('at most 64 KB');
    expect(validateBody('hello')).toBe('hello');
  });
});
