import { DomainError } from '@staydesk/core';
import { checkPlaceholders, firstName, placeholdersIn, render } from './macro-rules';

const values = {
  'requester.first_name': 'Ada',
  'requester.name': 'Ada Lovelace',
  'requester.email': 'ada@example.com',
  'ticket.number': '42',
  'ticket.subject': 'Printer',
  'agent.name': 'Bo Agent',
  'agent.first_name': 'Bo',
  'customer.name': 'Acme',
};

describe('macro placeholders', () => {
  it('renders known placeholders, with or without inner spaces', () => {
    expect(
      render('Hi {{requester.first_name}}, #{{ ticket.number }} for {{customer.name}}', values),
    ).toBe('Hi Ada, #42 for Acme');
  });

  it('refuses an unknown placeholder and names it', () => {
    let err: unknown;
    try {
      checkPlaceholders('Hello {{requester.nickname}} and {{agent.name}}', 'body');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DomainError);
    expect((err as DomainError).code).toBe('BAD_USER_INPUT');
    expect((err as DomainError).message).toContain('{{requester.nickname}}');
    expect((err as DomainError).message).toMatch(
      /^body: unknown placeholder \{\{requester\.nickname\}\};/,
    );
  });

  it('accepts text without placeholders and lists them once', () => {
    expect(() => checkPlaceholders('Plain text', 'body')).not.toThrow();
    expect(placeholdersIn('{{a}} {{b}} {{a}}')).toEqual(['a', 'b']);
    expect(firstName('  Grace  Hopper ')).toBe('Grace');
  });
});
