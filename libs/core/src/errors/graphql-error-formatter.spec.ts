import { ForbiddenException, UnauthorizedException } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import { DomainError, badInput } from './domain-error';
import {
  createGraphqlErrorFormatter,
  isUnavailable,
  withoutSuggestions,
} from './graphql-error-formatter';

describe('GraphQL error formatter', () => {
  const logged: unknown[] = [];
  const format = createGraphqlErrorFormatter({ error: (obj) => void logged.push(obj) });
  const wrap = (e: Error) => new GraphQLError(e.message, { originalError: e, path: ['x'] });

  beforeEach(() => (logged.length = 0));

  it('maps domain errors to their code and keeps the message and field', () => {
    const e = badInput('subject', 'must not be empty');
    const out = format({ message: e.message, path: ['x'] }, wrap(e));
    expect(out.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'subject' });
    expect(out.message).toBe('subject: must not be empty');
    expect(out.path).toEqual(['x']);
  });

  it.each([
    ['NOT_FOUND', 'ticket 9 was not found'],
    ['CONFLICT', 'already exists'],
    ['FORBIDDEN', 'no'],
    ['UNAUTHENTICATED', 'who are you'],
  ] as const)('maps %s', (code, message) => {
    const out = format({ message }, wrap(new DomainError(code, message)));
    expect(out.extensions?.code).toBe(code);
  });

  it('maps Nest HTTP exceptions from guards', () => {
    expect(
      format({ message: '' }, wrap(new UnauthorizedException('token expired'))).extensions,
    ).toEqual({
      code: 'UNAUTHENTICATED',
    });
    expect(format({ message: '' }, wrap(new ForbiddenException())).extensions?.code).toBe(
      'FORBIDDEN',
    );
  });

  it('hides unexpected errors and logs them', () => {
    const out = format(
      { message: 'relation "x" does not exist', path: ['x'] },
      wrap(new Error('relation "x" does not exist')),
    );
    expect(out.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
    expect(out.message).not.toContain('relation');
    expect(logged).toHaveLength(1);
  });

  it('reports an unreachable database as SERVICE_UNAVAILABLE', () => {
    const err = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    expect(format({ message: err.message, path: ['x'] }, wrap(err)).extensions?.code).toBe(
      'SERVICE_UNAVAILABLE',
    );
  });

  it('reports variables that do not coerce as BAD_USER_INPUT with their message', () => {
    const inner = new GraphQLError('Value "fax" does not exist in "Channel" enum.');
    const outer = new GraphQLError(
      'Variable "$c" got invalid value "fax"; Value "fax" does not exist in "Channel" enum.',
      {
        originalError: inner,
      },
    );
    const out = format({ message: outer.message }, outer);
    expect(out).toEqual({
      message: outer.message,
      locations: undefined,
      extensions: { code: 'BAD_USER_INPUT' },
    });
  });

  it('passes through validation errors from graphql-js', () => {
    const out = format(
      {
        message: 'Cannot query field "nope" on type "Query".',
        extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
      },
      new GraphQLError('Cannot query field "nope" on type "Query".'),
    );
    expect(out.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED' });
    expect(out.message).toContain('nope');
  });
});

describe('withoutSuggestions', () => {
  it('removes every "Did you mean" hint', () => {
    expect(
      withoutSuggestions(
        'Cannot query field "tickes" on type "Query". Did you mean "ticket" or "tickets"?',
      ),
    ).toBe('Cannot query field "tickes" on type "Query".');
    expect(
      withoutSuggestions(
        'Variable "$o" got invalid value "priorty"; Value "priorty" does not exist in "TicketOrder" enum. Did you mean the enum value "priority"?',
      ),
    ).toBe(
      'Variable "$o" got invalid value "priorty"; Value "priorty" does not exist in "TicketOrder" enum.',
    );
  });
});

describe('isUnavailable', () => {
  it.each([
    [{ code: '57P01' }],
    [{ code: '57P03' }],
    [{ code: '08006' }],
    [{ code: '08P01' }],
    [{ code: '53300' }],
    [{ code: 'EHOSTUNREACH' }],
    [{ message: 'Connection terminated unexpectedly' }],
    [{ message: 'Query runner already released. Cannot run queries anymore.' }],
    [{ driverError: { code: 'ECONNREFUSED' } }],
    [Object.assign(new Error('wrapped'), { cause: { code: '57P01' } })],
    [new AggregateError([{ code: 'ECONNREFUSED' }, { code: 'ECONNREFUSED' }], 'connect')],
  ])('maps %j to SERVICE_UNAVAILABLE', (err) => {
    expect(isUnavailable(err)).toBe(true);
  });

  it.each([[{ code: '23505' }], [{ code: '22P02' }], [new Error('boom')], [null]])(
    'leaves %j alone',
    (err) => {
      expect(isUnavailable(err)).toBe(false);
    },
  );
});
