/**
 * SLA arithmetic, pure: due times from a start, a duration and an optional working-hours calendar
 * with holidays and make-up working days (调休). Times are instants (Date); the calendar is read in a
 * fixed UTC offset (China has no daylight saving time).
 */
export interface WorkCalendar {
  /** Minutes east of UTC, e.g. 480 for +08:00. */
  utcOffsetMinutes: number;
  /** ISO weekdays that are working days (1 Monday … 7 Sunday). */
  workdays: number[];
  /** Minutes after local midnight: start and end of the working day. */
  startMinute: number;
  endMinute: number;
  /** Local dates (YYYY-MM-DD) that are not worked, and weekend dates that are worked. */
  holidays: string[];
  extraWorkdays: string[];
}

export const SLA_CLOCKS = ['acknowledge', 'contact', 'response', 'settle'] as const;
export type SlaClock = (typeof SLA_CLOCKS)[number];

const DAY = 86_400_000;
const MINUTE = 60_000;

/** "15m", "1h", "3d", "30s" → milliseconds; null when malformed. A day is 24 h, or one working day with a calendar. */
export function parseDuration(text: string): { ms: number; days: number } | null {
  const m = /^(\d+)\s*(s|m|h|d)$/.exec(String(text).trim());
  if (!m) return null;
  const n = Number(m[1]);
  if (m[2] === 'd') return { ms: n * DAY, days: n };
  return { ms: n * { s: 1000, m: MINUTE, h: 60 * MINUTE }[m[2] as 's' | 'm' | 'h'], days: 0 };
}

function localDate(localMs: number): string {
  return new Date(localMs).toISOString().slice(0, 10);
}

/** Whether the local day that starts at `dayStartLocal` (ms, shifted to local) is a working day. */
function isWorkingDay(cal: WorkCalendar, dayStartLocal: number): boolean {
  const date = localDate(dayStartLocal);
  if (cal.extraWorkdays.includes(date)) return true;
  if (cal.holidays.includes(date)) return false;
  const weekday = new Date(dayStartLocal).getUTCDay() || 7;
  return cal.workdays.includes(weekday);
}

/**
 * `start` plus `durationMs` of working time. Without a calendar that is plain elapsed time. With
 * one, only time inside working hours on working days counts; a start outside working hours waits
 * for the next working period. A zero duration is `start` itself.
 */
export function addWorkingTime(start: Date, durationMs: number, cal: WorkCalendar | null): Date {
  if (!cal || durationMs <= 0) return new Date(start.getTime() + Math.max(0, durationMs));
  const offset = cal.utcOffsetMinutes * MINUTE;
  let remaining = durationMs;
  let cursor = start.getTime() + offset; // local time as if it were UTC
  for (let guard = 0; guard < 3660; guard++) {
    const dayStart = Math.floor(cursor / DAY) * DAY;
    if (isWorkingDay(cal, dayStart)) {
      const open = dayStart + cal.startMinute * MINUTE;
      const close = dayStart + cal.endMinute * MINUTE;
      const from = Math.max(cursor, open);
      if (from < close) {
        if (remaining <= close - from) return new Date(from + remaining - offset);
        remaining -= close - from;
      }
    }
    cursor = dayStart + DAY;
  }
  throw new Error('the working-hours calendar has no working time in the next ten years');
}

/** A clock's duration as working time: with a calendar, "3d" means three working days. */
export function clockDurationMs(duration: { ms: number; days: number }, cal: WorkCalendar | null): number {
  if (!cal || duration.days === 0) return duration.ms;
  return duration.days * (cal.endMinute - cal.startMinute) * MINUTE;
}
