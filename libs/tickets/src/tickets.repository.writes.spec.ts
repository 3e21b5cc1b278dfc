import { sql } from 'kysely';
import { compileOnly } from '@staydesk/core';
import { resolvingStatement, resolvingStatementPerCall } from './tickets.repository.writes';

/**
 * createTicket's one statement is built and compiled once per condition (issue 19): with each
 * call's values it must be the very statement building it on that call gives, text and
 * parameters, for every shape the service sends.
 */
describe('createTicket statement compiled once', () => {
  const at = new Date('2026-12-01T10:00:00.123Z');
  const base = {
    requesterId: '17',
    customerId: null as string | null,
    subject: 'Cannot export invoices',
    channel: 'email' as const,
    priority: 'normal' as const,
    status: 'new' as const,
    assigneeId: null,
    teamId: null,
    tags: ['billing', 'vip'],
    createdById: '3',
    firstResponseAt: null as Date | null,
    lastMessageAt: null as Date | null,
    createdAt: at,
    events: JSON.stringify([{ actor_id: '3', type: 'created', to_value: 'new', created_at: at }]),
    audits: JSON.stringify([{ actorId: '3', action: 'ticket.create', details: {} }]),
    outbox: JSON.stringify([{ type: 'ticket.created', extra: {} }]),
    traceContext: { traceparent: '00-abc-def-01' } as Record<string, string> | null,
    version: 1,
  };
  const version = (v: string) =>
    sql<boolean>`(COALESCE((SELECT version FROM automation_rules_state WHERE id), 0) = ${v}::bigint)`;
  const v7 = version('7');
  const shapes: [string, typeof base, ReturnType<typeof version>[]][] = [
    ['no condition', base, []],
    ['a rules version', base, [v7]],
    [
      'the same condition object again, other values',
      { ...base, subject: 'Other', version: 3, customerId: '5', traceContext: null },
      [v7],
    ],
    [
      'another version',
      { ...base, firstResponseAt: at, lastMessageAt: at, tags: [] },
      [version('8')],
    ],
    ['two conditions (not cached)', base, [v7, version('9')]],
  ];

  it.each(shapes)('%s: same text and parameters as built per call', (_name, values, current) => {
    const once = resolvingStatement(current)(values);
    const perCall = resolvingStatementPerCall(values, current).compile(compileOnly);
    expect(once.sql).toBe(perCall.sql);
    expect(once.parameters).toEqual(perCall.parameters);
  });

  it('compiles once per condition object', () => {
    expect(resolvingStatement([v7])).toBe(resolvingStatement([v7]));
    expect(resolvingStatement([])).toBe(resolvingStatement([]));
    expect(resolvingStatement([v7])).not.toBe(resolvingStatement([version('7')]));
  });
});
