/** Minutes since midnight in the time zone. */
function minutesIn(now: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/**
 * Whether `now` falls within active hours "HH:MM-HH:MM" in the time zone (pure). The window may wrap midnight
 * ("22:00-06:00"); start = end means all day; no window means always.
 */
export function withinActiveHours(spec: string | null | undefined, now: Date, timeZone: string): boolean {
  if (!spec) return true;
  const match = /^(\d{2}):(\d{2})-(\d{2}):(\d{2})$/.exec(spec);
  if (!match) return true;
  const start = Number(match[1]) * 60 + Number(match[2]);
  const end = Number(match[3]) * 60 + Number(match[4]);
  if (start === end) return true;
  const minute = minutesIn(now, timeZone);
  return start < end ? minute >= start && minute < end : minute >= start || minute < end;
}
