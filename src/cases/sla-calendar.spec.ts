import { addWorkingTime, clockDurationMs, parseDuration, WorkCalendar } from './sla-calendar';
import { desiredTimers, dueTimes, overdueClocks, parseSlaConfig } from './sla-config';

// Working hours 08:30–17:30 Beijing time, Monday to Friday; 2026-10-01..07 National Day holiday,
// Sunday 2026-09-27 and Saturday 2026-10-10 are make-up working days (调休).
const cal: WorkCalendar = {
  utcOffsetMinutes: 480,
  workdays: [1, 2, 3, 4, 5],
  startMinute: 8 * 60 + 30,
  endMinute: 17 * 60 + 30,
  holidays: ['2026-10-01', '2026-10-02', '2026-10-03', '2026-10-04', '2026-10-05', '2026-10-06', '2026-10-07'],
  extraWorkdays: ['2026-09-27', '2026-10-10'],
};
const bj = (local: string) => new Date(`${local}+08:00`);
const H = 3_600_000;
const M = 60_000;

describe('parseDuration', () => {
  it.each<[string, { ms: number; days: number } | null]>([
    ['15m', { ms: 15 * M, days: 0 }],
    ['1h', { ms: H, days: 0 }],
    ['3d', { ms: 72 * H, days: 3 }],
    ['30s', { ms: 30_000, days: 0 }],
    ['2 h', { ms: 2 * H, days: 0 }],
    ['1.5h', null],
    ['fast', null],
    ['', null],
  ])('%j', (text, expected) => expect(parseDuration(text)).toEqual(expected));
});

describe('addWorkingTime', () => {
  it.each<[string, string, number, WorkCalendar | null, string]>([
    ['no calendar: plain elapsed time', '2026-11-27T23:50:00', 15 * M, null, '2026-11-28T00:05:00'],
    ['inside working hours', '2026-11-26T10:00:00', H, cal, '2026-11-26T11:00:00'],
    ['ends exactly at closing time', '2026-11-26T16:30:00', H, cal, '2026-11-26T17:30:00'],
    ['spills over into the next morning', '2026-11-26T17:00:00', H, cal, '2026-11-27T09:00:00'],
    ['before opening waits for 08:30', '2026-11-26T06:00:00', 15 * M, cal, '2026-11-26T08:45:00'],
    ['Friday evening waits for Monday', '2026-11-27T20:00:00', 2 * H, cal, '2026-11-30T10:30:00'],
    ['Saturday waits for Monday', '2026-11-28T11:00:00', 15 * M, cal, '2026-11-30T08:45:00'],
    ['holiday week is skipped', '2026-09-30T17:00:00', H, cal, '2026-10-08T09:00:00'],
    ['a make-up Saturday is worked', '2026-10-09T17:00:00', H, cal, '2026-10-10T09:00:00'],
    ['a make-up Sunday is worked', '2026-09-26T12:00:00', 15 * M, cal, '2026-09-27T08:45:00'],
    ['three working days', '2026-11-26T10:00:00', 27 * H, cal, '2026-12-01T10:00:00'],
    ['zero duration', '2026-11-28T11:00:00', 0, cal, '2026-11-28T11:00:00'],
  ])('%s', (_name, start, ms, calendar, expected) => {
    expect(addWorkingTime(bj(start), ms, calendar).toISOString()).toBe(bj(expected).toISOString());
  });
});

describe('clockDurationMs', () => {
  it('counts days as working days with a calendar and as 24 hours without', () => {
    expect(clockDurationMs({ ms: 72 * H, days: 3 }, cal)).toBe(27 * H);
    expect(clockDurationMs({ ms: 72 * H, days: 3 }, null)).toBe(72 * H);
    expect(clockDurationMs({ ms: 2 * H, days: 0 }, cal)).toBe(2 * H);
  });
});

describe('SLA settings and timers', () => {
  const fail = (setting: string, message: string): never => {
    throw new Error(`${setting} ${message}`);
  };
  const level = { acknowledge: '15m', contact: '1h', response: '2h', settle: '3d', supervisorAfter: '15m', officialAfter: '1h' };
  const raw = { levels: { red: level, orange: level, yellow: { ...level, workingHours: true }, blue: level }, calendar: { start: '08:30', end: '17:30' } };

  it('refuses a bad duration and names the setting', () => {
    expect(() => parseSlaConfig({ ...raw, levels: { ...raw.levels, red: { ...level, contact: 'soon' } } }, fail)).toThrow('sla.levels.red.contact');
    expect(() => parseSlaConfig({ ...raw, calendar: { start: '18:00', end: '09:00' } }, fail)).toThrow('sla.calendar.end');
  });

  it('computes due times per level, with the calendar only where it applies', () => {
    const sla = parseSlaConfig(raw, fail);
    const opened = bj('2026-11-27T17:00:00'); // a Friday
    expect(dueTimes(opened, 'red', sla).acknowledge.toISOString()).toBe(bj('2026-11-27T17:15:00').toISOString());
    expect(dueTimes(opened, 'red', sla).settle.toISOString()).toBe(bj('2026-11-30T17:00:00').toISOString());
    expect(dueTimes(opened, 'yellow', sla).contact.toISOString()).toBe(bj('2026-11-30T09:00:00').toISOString());
    expect(dueTimes(opened, 'yellow', sla).settle.toISOString()).toBe(bj('2026-12-02T17:00:00').toISOString());
  });

  it.each<[string, Record<string, unknown>, string[], number]>([
    ['nothing done yet', {}, ['acknowledge', 'contact', 'response'], 12],
    ['acknowledged', { acknowledgedAt: bj('2026-11-27T17:05:00') }, ['contact', 'response'], 9],
    ['responded (counts as contact)', { acknowledgedAt: bj('2026-11-27T17:05:00'), firstResponseAt: bj('2026-11-27T17:30:00') }, [], 3],
    ['settled', { status: 'settled', closedAt: bj('2026-11-27T18:00:00') }, [], 0],
  ])('overdue clocks and timers when %s', (_name, fields, overdue, timers) => {
    const sla = parseSlaConfig(raw, fail);
    const due = dueTimes(bj('2026-11-27T17:00:00'), 'red', sla);
    const c = {
      status: 'assigned',
      level: 'red' as const,
      acknowledgedAt: null,
      firstContactAt: null,
      firstResponseAt: null,
      closedAt: null,
      dueAcknowledgeAt: due.acknowledge,
      dueContactAt: due.contact,
      dueResponseAt: due.response,
      dueSettleAt: due.settle,
      ...fields,
    } as Parameters<typeof overdueClocks>[0];
    expect(overdueClocks(c, bj('2026-11-27T19:30:00'))).toEqual(overdue);
    expect(desiredTimers(c, sla)).toHaveLength(timers);
  });
});
