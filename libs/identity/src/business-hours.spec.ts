import {
  addBusinessMinutes,
  businessMinutesBetween,
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
});
