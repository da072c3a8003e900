import { WARNING_LEVELS, WarningLevel } from '../rules/rule.entity';
import { addWorkingTime, clockDurationMs, parseDuration, SLA_CLOCKS, SlaClock, WorkCalendar } from './sla-calendar';

export interface SlaLevel {
  /** Working-time (or elapsed, without the calendar) duration of each clock, ms. */
  clocks: Record<SlaClock, number>;
  workingHours: boolean;
  supervisorAfterMs: number;
  officialAfterMs: number;
}

export interface SlaConfig {
  levels: Record<WarningLevel, SlaLevel>;
  calendar: WorkCalendar;
}

type Raw = Record<string, unknown>;
type Fail = (setting: string, message: string) => never;

function hhmm(value: unknown, setting: string, fail: Fail): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(String(value ?? ''));
  if (!m || Number(m[1]) > 24 || Number(m[2]) > 59) return fail(setting, `must be a time like "08:30" (got ${JSON.stringify(value)})`);
  return Number(m[1]) * 60 + Number(m[2]);
}

function dates(value: unknown, setting: string, fail: Fail): string[] {
  const list = value ?? [];
  if (!Array.isArray(list)) return fail(setting, 'must be a list of dates (YYYY-MM-DD)');
  return list.map((d) => {
    const text = d instanceof Date ? d.toISOString().slice(0, 10) : String(d);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) fail(setting, `must be a list of dates (YYYY-MM-DD) (got ${JSON.stringify(d)})`);
    return text;
  });
}

/** Validates the `sla` settings (config/sla.yaml merged with overrides); `fail` names the bad setting. */
export function parseSlaConfig(raw: Raw, fail: Fail): SlaConfig {
  const c = (raw.calendar ?? {}) as Raw;
  const offset = /^([+-])(\d{2}):(\d{2})$/.exec(String(c.utcOffset ?? '+08:00'));
  if (!offset) return fail('sla.calendar.utcOffset', `must look like +08:00 (got ${JSON.stringify(c.utcOffset)})`);
  const workdays = (c.workdays ?? [1, 2, 3, 4, 5]) as unknown[];
  if (!Array.isArray(workdays) || !workdays.every((d) => Number.isInteger(d) && (d as number) >= 1 && (d as number) <= 7)) {
    return fail('sla.calendar.workdays', 'must be a list of ISO weekdays from 1 (Monday) to 7 (Sunday)');
  }
  const calendar: WorkCalendar = {
    utcOffsetMinutes: (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3])),
    workdays: workdays as number[],
    startMinute: hhmm(c.start ?? '08:30', 'sla.calendar.start', fail),
    endMinute: hhmm(c.end ?? '17:30', 'sla.calendar.end', fail),
    holidays: dates(c.holidays, 'sla.calendar.holidays', fail),
    extraWorkdays: dates(c.extraWorkdays, 'sla.calendar.extraWorkdays', fail),
  };
  if (calendar.endMinute <= calendar.startMinute) fail('sla.calendar.end', 'must be later than sla.calendar.start');

  const levelsRaw = (raw.levels ?? {}) as Raw;
  const levels = {} as Record<WarningLevel, SlaLevel>;
  for (const level of WARNING_LEVELS) {
    const l = levelsRaw[level] as Raw | undefined;
    if (!l || typeof l !== 'object') return fail(`sla.levels.${level}`, 'is missing');
    const dur = (key: string) => {
      const d = parseDuration(String(l[key] ?? ''));
      if (!d) return fail(`sla.levels.${level}.${key}`, `must be a duration like 15m, 2h or 3d (got ${JSON.stringify(l[key])})`);
      return d;
    };
    if (l.workingHours !== undefined && typeof l.workingHours !== 'boolean') {
      fail(`sla.levels.${level}.workingHours`, `must be true or false (got ${JSON.stringify(l.workingHours)})`);
    }
    const workingHours = l.workingHours === true;
    const clocks = Object.fromEntries(SLA_CLOCKS.map((clock) => [clock, clockDurationMs(dur(clock), workingHours ? calendar : null)])) as Record<SlaClock, number>;
    levels[level] = { clocks, workingHours, supervisorAfterMs: dur('supervisorAfter').ms, officialAfterMs: dur('officialAfter').ms };
  }
  return { levels, calendar };
}

export type DueTimes = Record<SlaClock, Date>;

/** The due time of every clock of a case opened at `openedAt` with `level`. */
export function dueTimes(openedAt: Date, level: WarningLevel, sla: SlaConfig): DueTimes {
  const l = sla.levels[level];
  const cal = l.workingHours ? sla.calendar : null;
  return Object.fromEntries(SLA_CLOCKS.map((clock) => [clock, addWorkingTime(openedAt, l.clocks[clock], cal)])) as DueTimes;
}

/** The case fields the SLA looks at. */
export interface SlaCaseView {
  status: string;
  level: WarningLevel;
  acknowledgedAt: Date | null;
  firstContactAt: Date | null;
  firstResponseAt: Date | null;
  closedAt: Date | null;
  dueAcknowledgeAt: Date | null;
  dueContactAt: Date | null;
  dueResponseAt: Date | null;
  dueSettleAt: Date | null;
}

const CLOSED = ['settled', 'dismissed', 'merged'];

export function dueOf(c: SlaCaseView, clock: SlaClock): Date | null {
  return { acknowledge: c.dueAcknowledgeAt, contact: c.dueContactAt, response: c.dueResponseAt, settle: c.dueSettleAt }[clock];
}

/** Whether the clock's goal has been reached (a public response also counts as the first contact). */
export function clockMet(c: SlaCaseView, clock: SlaClock): boolean {
  if (CLOSED.includes(c.status)) return true;
  switch (clock) {
    case 'acknowledge':
      return c.acknowledgedAt !== null;
    case 'contact':
      return c.firstContactAt !== null || c.firstResponseAt !== null;
    case 'response':
      return c.firstResponseAt !== null;
    case 'settle':
      return c.closedAt !== null;
  }
}

/** The clocks of an open case that have run out. */
export function overdueClocks(c: SlaCaseView, now: Date): SlaClock[] {
  return SLA_CLOCKS.filter((clock) => {
    const due = dueOf(c, clock);
    return due !== null && due.getTime() <= now.getTime() && !clockMet(c, clock);
  });
}

/** SQL twin of `overdueClocks(c).length > 0` for list filters (alias `c`). */
export const OVERDUE_SQL = `(c.status NOT IN ('settled', 'dismissed', 'merged') AND (
  (c.due_acknowledge_at <= now() AND c.acknowledged_at IS NULL)
  OR (c.due_contact_at <= now() AND c.first_contact_at IS NULL AND c.first_response_at IS NULL)
  OR (c.due_response_at <= now() AND c.first_response_at IS NULL)
  OR (c.due_settle_at <= now() AND c.closed_at IS NULL)))`;

export const SLA_STAGES = ['remind', 'supervisor', 'official'] as const;
export type SlaStage = (typeof SLA_STAGES)[number];

export interface SlaTimer {
  clock: SlaClock;
  stage: SlaStage;
  at: Date;
}

/** The timers a case should have now: for every unmet clock, a reminder at its due time, then the two escalations. */
export function desiredTimers(c: SlaCaseView, sla: SlaConfig): SlaTimer[] {
  const l = sla.levels[c.level];
  const timers: SlaTimer[] = [];
  for (const clock of SLA_CLOCKS) {
    const due = dueOf(c, clock);
    if (!due || clockMet(c, clock)) continue;
    timers.push({ clock, stage: 'remind', at: due });
    timers.push({ clock, stage: 'supervisor', at: new Date(due.getTime() + l.supervisorAfterMs) });
    timers.push({ clock, stage: 'official', at: new Date(due.getTime() + l.officialAfterMs) });
  }
  return timers;
}
