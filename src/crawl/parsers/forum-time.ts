/** Asia/Shanghai is UTC+8 all year (no daylight saving since 1991). */
const SHANGHAI_OFFSET_MINUTES = 8 * 60;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/**
 * Year-month-day with `-`, `/`, `.` or 年月日, then optionally a time (`:`, `：` or 时分), fractional seconds and a zone
 * (`Z`, `+08:00`, `+0800`, `UTC+8`, `GMT`). Found anywhere in the text, so labels like "发帖时间：" may surround it.
 */
const ABSOLUTE =
  /(?<!\d)(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?!\d)\s*日?(?:[\sT]*(\d{1,2})\s*[:：时]\s*(\d{1,2})(?:\s*[:：分]\s*(\d{1,2}))?(?:[.,](\d{1,9}))?(?:\s*(Z|(?:UTC|GMT)(?:[+-]\d{1,2}(?::?\d{2})?)?|[+-]\d{2}:?\d{2})(?![A-Za-z\d:]))?)?/;
/** "3 分钟前", "半小时前", "2 天前". */
const AGO = /(\d+|半)\s*个?\s*(秒|分钟|分|小时|钟头|天|周|星期)\s*前/;
/** "今天 14:03", "昨天 09:30", "前天 23:59". */
const DAY_WORD = /(今天|昨天|前天)\s*(\d{1,2})[:：](\d{1,2})/;
/** "11-26 14:03" or "11月26日 14:03" (year omitted: the most recent such date not after tomorrow). */
const MONTH_DAY = /(?<![\d\-/.])(\d{1,2})\s*[-/月]\s*(\d{1,2})\s*日?\s+(\d{1,2})[:：](\d{1,2})(?![\d\-/])/;

const UNIT_MS: Record<string, number> = {
  秒: 1000,
  分: MINUTE_MS,
  分钟: MINUTE_MS,
  小时: 60 * MINUTE_MS,
  钟头: 60 * MINUTE_MS,
  天: DAY_MS,
  周: 7 * DAY_MS,
  星期: 7 * DAY_MS,
};
const DAYS_BACK: Record<string, number> = { 今天: 0, 昨天: 1, 前天: 2 };

/**
 * Parses a post time as Chinese forums print it: `2026-11-26 14:03`, `2026-11-26 14:03:05`, `2026/11/26 14:03`,
 * `2026年11月26日 14:03`, ISO 8601, a bare date, and the relative forms `刚刚`, `3 分钟前`, `昨天 14:03`, `11-26 14:03`
 * (relative to `now`). Times without a zone are Asia/Shanghai. Returns undefined when nothing valid is found.
 */
export function parseForumTime(text: string, now: Date = new Date()): Date | undefined {
  const absolute = ABSOLUTE.exec(text);
  if (absolute) return fromAbsoluteMatch(absolute);
  if (text.includes('刚刚')) return new Date(now.getTime());
  const ago = AGO.exec(text);
  if (ago) {
    const amount = ago[1] === '半' ? 0.5 : Number(ago[1]);
    return new Date(now.getTime() - amount * UNIT_MS[ago[2]]);
  }
  const dayWord = DAY_WORD.exec(text);
  if (dayWord) {
    const day = shanghaiFields(new Date(now.getTime() - DAYS_BACK[dayWord[1]] * DAY_MS));
    return toDate(day.year, day.month, day.day, Number(dayWord[2]), Number(dayWord[3]), 0, 0, SHANGHAI_OFFSET_MINUTES);
  }
  const monthDay = MONTH_DAY.exec(text);
  if (monthDay) return fromMonthDayMatch(monthDay, now);
  return undefined;
}

function fromAbsoluteMatch(m: RegExpExecArray): Date | undefined {
  const [, year, month, day, hour, minute, second, fraction, zone] = m;
  const offset = zone === undefined ? SHANGHAI_OFFSET_MINUTES : zoneOffsetMinutes(zone);
  if (offset === undefined) return undefined;
  const ms = fraction ? Number(fraction.slice(0, 3).padEnd(3, '0')) : 0;
  return toDate(
    Number(year),
    Number(month),
    Number(day),
    Number(hour ?? 0),
    Number(minute ?? 0),
    Number(second ?? 0),
    ms,
    offset,
  );
}

function fromMonthDayMatch(m: RegExpExecArray, now: Date): Date | undefined {
  const [, month, day, hour, minute] = m;
  const thisYear = shanghaiFields(now).year;
  const parse = (year: number) =>
    toDate(year, Number(month), Number(day), Number(hour), Number(minute), 0, 0, SHANGHAI_OFFSET_MINUTES);
  const candidate = parse(thisYear);
  // A date more than a day ahead of now was written last year (a list viewed in early January).
  if (candidate && candidate.getTime() > now.getTime() + DAY_MS) return parse(thisYear - 1);
  return candidate;
}

/** Minutes east of UTC for `Z`, `UTC`, `GMT`, `UTC+8`, `+08`, `+0800`, `+08:00`. */
function zoneOffsetMinutes(zone: string): number | undefined {
  const signed = /([+-])(\d{1,2}):?(\d{2})?$/.exec(zone);
  if (!signed) return 0;
  const hours = Number(signed[2]);
  const minutes = Number(signed[3] ?? 0);
  if (hours > 14 || minutes > 59) return undefined;
  return (signed[1] === '-' ? -1 : 1) * (hours * 60 + minutes);
}

/** Builds the instant for a wall-clock time at `offsetMinutes` east of UTC, or undefined when a field is out of range. */
function toDate(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  ms: number,
  offsetMinutes: number,
): Date | undefined {
  if (year < 1970 || year > 2100 || month < 1 || month > 12 || day < 1) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (new Date(Date.UTC(year, month - 1, day)).getUTCDate() !== day) return undefined; // e.g. 2026-02-30
  return new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * MINUTE_MS);
}

function shanghaiFields(instant: Date): { year: number; month: number; day: number } {
  const wall = new Date(instant.getTime() + SHANGHAI_OFFSET_MINUTES * MINUTE_MS);
  return { year: wall.getUTCFullYear(), month: wall.getUTCMonth() + 1, day: wall.getUTCDate() };
}
