import type { DutySchedule, RoutingStrategy } from './team.entity';

/** A cell of the responsibility matrix. */
export interface ResponsibilityCell {
  id: number;
  areaId: number;
  /** null: every category. */
  category: string | null;
  teamId: number;
}

/**
 * The most specific cell for a case: the nearest area of the chain (the case's area first, then its
 * ancestors) that has a cell, a cell for the case's category before one for every category there,
 * and the oldest cell on a tie. null when none applies (routing falls back up the area tree).
 */
export function matchResponsibility(chain: readonly number[], category: string | null, cells: readonly ResponsibilityCell[]): ResponsibilityCell | null {
  for (const areaId of chain) {
    const here = cells.filter((c) => c.areaId === areaId && (c.category === null || c.category === category));
    if (here.length === 0) continue;
    return [...here].sort((a, b) => Number(a.category === null) - Number(b.category === null) || a.id - b.id)[0];
  }
  return null;
}

export interface TeamCandidate {
  userId: number;
  capacity: number;
  openCases: number;
  specialties: string[];
  onDuty: boolean;
  dutySchedule: DutySchedule | null;
}

/** Whether a member is on duty at `now`: the flag, and the weekly schedule when there is one (Beijing time unless it says otherwise). */
export function onDutyAt(member: Pick<TeamCandidate, 'onDuty' | 'dutySchedule'>, now: Date): boolean {
  if (!member.onDuty) return false;
  const s = member.dutySchedule;
  if (!s) return true;
  const m = /^([+-])(\d{2}):(\d{2})$/.exec(s.utcOffset ?? '+08:00');
  const offset = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 480;
  const local = new Date(now.getTime() + offset * 60_000);
  const weekday = local.getUTCDay() || 7;
  const minute = local.getUTCHours() * 60 + local.getUTCMinutes();
  const toMinute = (t: string) => Number(t.split(':')[0]) * 60 + Number(t.split(':')[1] ?? 0);
  const start = toMinute(s.start);
  const end = toMinute(s.end);
  if (start <= end) return s.days.includes(weekday) && minute >= start && minute < end;
  // A night shift that crosses midnight belongs to the day it starts.
  const yesterday = weekday === 1 ? 7 : weekday - 1;
  return (s.days.includes(weekday) && minute >= start) || (s.days.includes(yesterday) && minute < end);
}

/**
 * The team member who gets the case: among those on duty with room (open cases below capacity),
 * specialists in the case's category first; then the least loaded (lowest id on a tie), or the next
 * after the last one given a case (round robin, by user id). null when nobody can take it.
 */
export function chooseTeamMember(
  members: readonly TeamCandidate[],
  opts: { strategy: RoutingStrategy; lastAssigneeId: number | null; category: string | null; now: Date },
): number | null {
  const eligible = members.filter((m) => onDutyAt(m, opts.now) && m.openCases < m.capacity);
  if (eligible.length === 0) return null;
  const specialists = opts.category ? eligible.filter((m) => m.specialties.includes(opts.category!)) : [];
  const pool = (specialists.length ? specialists : eligible).slice().sort((a, b) => a.userId - b.userId);
  if (opts.strategy === 'round_robin') {
    const last = opts.lastAssigneeId ?? -Infinity;
    return (pool.find((m) => m.userId > last) ?? pool[0]).userId;
  }
  return pool.reduce((best, m) => (m.openCases < best.openCases ? m : best)).userId;
}
