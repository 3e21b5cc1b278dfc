import { describe, expect, it } from 'vitest';
import { fieldMessage } from './errors';

describe('fieldMessage', () => {
  it('drops the field name the api put first, also once the message is capitalized', () => {
    const p = { code: 'BAD_USER_INPUT', details: {} };
    expect(fieldMessage({ ...p, field: 'subject', message: 'Subject: must not be empty.' })).toBe(
      'Must not be empty.',
    );
    expect(
      fieldMessage({
        ...p,
        field: 'bands[1].minValue',
        message: 'Bands[1].minValue: is too large',
      }),
    ).toBe('Is too large.');
    expect(fieldMessage({ ...p, field: 'name', message: 'Taken' })).toBe('Taken.');
  });
});
