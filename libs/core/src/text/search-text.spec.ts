import { DomainError } from '../errors/domain-error';
import { containsPattern, escapeLike, searchText } from './search-text';

describe('search text', () => {
  it('escapes LIKE wildcards and the escape character', () => {
    expect(escapeLike('50%_off\\')).toBe('50\\%\\_off\\\\');
    expect(containsPattern('%')).toBe('%\\%%');
  });

  it('trims, treats empty as no search, and refuses more than 200 characters naming the argument', () => {
    expect(searchText('  acme ', 'filter.search')).toBe('acme');
    expect(searchText('   ', 'filter.search')).toBeUndefined();
    expect(searchText(null, 'filter.search')).toBeUndefined();
    expect(searchText('x'.repeat(200), 'filter.search')).toHaveLength(200);
    try {
      searchText('x'.repeat(201), 'filter.search');
      throw new Error('not reached');
    } catch (e) {
      expect((e as DomainError).code).toBe('BAD_USER_INPUT');
      expect((e as DomainError).message).toBe(
        'filter.search: must be at most 200 characters (got 201)',
      );
    }
  });
});
