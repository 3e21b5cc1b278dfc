import { CombinedGraphQLErrors } from '@apollo/client/errors';
import { act, renderHook } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { formatTarget, generatePassword, useFieldErrors } from './useFieldErrors';

describe('admin form helpers', () => {
  it('writes SLA targets in days, hours and minutes', () => {
    expect(formatTarget(45)).toBe('45 min');
    expect(formatTarget(90)).toBe('1 h 30 min');
    expect(formatTarget(1440)).toBe('1 d');
    expect(formatTarget(2 * 1440 + 61)).toBe('2 d 1 h 1 min');
  });

  it('proposes passwords long enough for the api and never the same twice', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z2-9]{4}(-[A-Za-z2-9]{4}){3}$/);
    expect(a.length).toBeGreaterThanOrEqual(12);
    expect(generatePassword()).not.toBe(a);
  });

  it('submits: stops the browser, clears old errors, puts a field error next to its field', async () => {
    const { result } = renderHook(() => useFieldErrors({ fromName: 'name' }));
    const invalid = new CombinedGraphQLErrors({
      errors: [
        {
          message: 'input.fromName: is too long',
          extensions: { code: 'BAD_USER_INPUT', field: 'input.fromName' },
        },
      ],
    });
    const event = { preventDefault: vi.fn() };
    await act(() => result.current.handleSubmit(() => Promise.reject(invalid))(event));
    expect(event.preventDefault).toHaveBeenCalled();
    expect(result.current.errors).toEqual({ name: 'Is too long.' });
    expect(result.current.formError).toBeNull();
    // another failure: above the form, the field's error gone
    await act(() =>
      result.current.handleSubmit(() => Promise.reject(new Error('x')), 'Not saved.')(),
    );
    expect(result.current.errors).toEqual({});
    expect(result.current.formError).toMatch(/cannot be reached/);
    // success: nothing left
    await act(() => result.current.handleSubmit(() => Promise.resolve())());
    expect(result.current.formError).toBeNull();
  });
});
