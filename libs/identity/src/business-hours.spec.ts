import {
  addBusinessMinutes,
  businessMinutesBetween,
  validateHolidays,
  validateTimezone,
  validateWeeklyHours,
} from './business-hours';

const weekdays9to17 = validateWeeklyHours({
  mon: [['09:00', '17:00']],
  tue: [['09:00', '17:00']],
  wed: [['09:00', '17:00']],
  thu: [['09:00', '17:00']],
  fri: [['09:00', '17:00']],
});

describe('business hours', () => {
  it('adds time inside one working day', () => {
    // Monday 2026-11-23 10:00 Berlin = 09:00Z
    const due = addBusinessMinutes(
      new Date('2026-11-23T09:00:00Z'),
      60,
      'Europe/Berlin',
      weekdays9to17,
    );
    expect(due.toISOString()).toBe('2026-11-23T10:00:00.000Z');
  });

  it('carries over the night and the weekend', () => {
    // Friday 2026-11-27 16:00 Berlin (15:00Z) + 2 h → Monday 10:00 Berlin (09:00Z)
    const due = addBusinessMinutes(
      new Date('2026-11-27T15:00:00Z'),
      120,
      'Europe/Berlin',
      weekdays9to17,
    );
    expect(due.toISOString()).toBe('2026-11-30T09:00:00.000Z');
  });

  it('starts counting at opening time when created outside hours', () => {
    // Saturday → Monday 09:00 Berlin + 30 min
    const due = addBusinessMinutes(
      new Date('2026-11-28T12:00:00Z'),
      30,
      'Europe/Berlin',
      weekdays9to17,
    );
    expect(due.toISOString()).toBe('2026-11-30T08:30:00.000Z');
  });

  it('handles the DST change (Berlin, 2026-03-29)', () => {
    // Friday 27 March 16:00 CET (15:00Z) + 120 min → Monday 30 March 10:00 CEST (08:00Z)
    const due = addBusinessMinutes(
      new Date('2026-03-27T15:00:00Z'),
      120,
      'Europe/Berlin',
      weekdays9to17,
    );
    expect(due.toISOString()).toBe('2026-03-30T08:00:00.000Z');
  });

  it('measures business minutes between two instants', () => {
    expect(
      businessMinutesBetween(
        new Date('2026-11-27T15:00:00Z'),
        new Date('2026-11-30T09:00:00Z'),
        'Europe/Berlin',
        weekdays9to17,
      ),
    ).toBe(120);
    expect(
      businessMinutesBetween(
        new Date('2026-11-28T00:00:00Z'),
        new Date('2026-11-29T00:00:00Z'),
        'UTC',
        weekdays9to17,
      ),
    ).toBe(0);
  });

  it('validates calendars and time zones', () => {
    expect(() => validateWeeklyHours({ funday: [] })).toThrow('unknown day "funday"');
    expect(() => validateWeeklyHours({ mon: [['17:00', '09:00']] })).toThrow(
      'ends before it starts',
    );
    expect(() => validateWeeklyHours({ mon: [['9am', '5pm']] })).toThrow('not ["HH:MM", "HH:MM"]');
    expect(() => validateWeeklyHours({})).toThrow('must open for some time');
    expect(() => validateTimezone('Mars/Olympus')).toThrow('not an IANA time zone');
    expect(() => validateTimezone('Europe/Berlin')).not.toThrow();
  });

  it('skips holidays (local dates of the calendar) and lands on the whole minute', () => {
    const hours = {
      mon: [['09:00', '17:00']],
      tue: [['09:00', '17:00']],
      wed: [['09:00', '17:00']],
    } as const;
    const berlin = 'Europe/Berlin';
    // Monday 2026-12-21 16:30:20 Berlin (15:30:20Z), 60 min: Tuesday is a holiday → Wednesday 09:30
    const due = addBusinessMinutes(
      new Date('2026-12-21T15:30:20Z'),
      60,
      berlin,
      hours as never,
      new Set(['2026-12-22']),
    );
    expect(due.toISOString()).toBe('2026-12-23T08:30:00.000Z');
    expect(
      businessMinutesBetween(
        new Date('2026-12-21T08:00:00Z'),
        new Date('2026-12-23T16:00:00Z'),
        berlin,
        hours as never,
        new Set(['2026-12-22']),
      ),
    ).toBe(16 * 60);
    expect(
      validateHolidays([
        { date: '2026-12-25', name: ' Christmas ' },
        { date: '2026-01-01', name: 'New Year' },
      ]),
    ).toEqual([
      { date: '2026-01-01', name: 'New Year' },
      { date: '2026-12-25', name: 'Christmas' },
    ]);
    expect(() => validateHolidays([{ date: '2026-02-30', name: 'x' }])).toThrow('not a date');
    expect(() => validateHolidays([{ date: '2026-12-25', name: '' }])).toThrow('needs a name');
    expect(() =>
      validateHolidays([
        { date: '2026-12-25', name: 'a' },
        { date: '2026-12-25', name: 'b' },
      ]),
    ).toThrow('listed twice');
  });
});
