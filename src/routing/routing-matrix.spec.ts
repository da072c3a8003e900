import { chooseTeamMember, matchResponsibility, onDutyAt, ResponsibilityCell, TeamCandidate } from './routing-matrix';

// Area chain of a case: compound 40 in community 30 of street 20 of district 10.
const chain = [40, 30, 20, 10];
const cell = (id: number, areaId: number, category: string | null, teamId: number): ResponsibilityCell => ({ id, areaId, category, teamId });

describe('matchResponsibility', () => {
  it.each<[string, ResponsibilityCell[], string | null, number | null]>([
    ['the community cell over the street cell', [cell(1, 20, null, 100), cell(2, 30, null, 200)], '物业纠纷', 200],
    ['a category cell over an any-category cell of the same area', [cell(1, 30, null, 100), cell(2, 30, '物业纠纷', 200)], '物业纠纷', 200],
    ['a nearer any-category cell over a farther category cell', [cell(1, 20, '物业纠纷', 100), cell(2, 30, null, 200)], '物业纠纷', 200],
    ['the street category cell when the community has only other categories', [cell(1, 30, '噪音扰民', 100), cell(2, 20, '物业纠纷', 200)], '物业纠纷', 200],
    ['the district cell as the last resort', [cell(1, 10, null, 300), cell(2, 31, null, 200)], '停车', 300],
    ['the older cell on a tie', [cell(5, 30, null, 100), cell(3, 30, null, 200)], null, 200],
    ['nothing for another subtree', [cell(1, 21, null, 100)], '物业纠纷', null],
    ['nothing for an uncategorised case from a category cell only', [cell(1, 30, '物业纠纷', 100)], null, null],
  ])('%s', (_name, cells, category, teamId) => {
    expect(matchResponsibility(chain, category, cells)?.teamId ?? null).toBe(teamId);
  });
});

const m = (userId: number, extra: Partial<TeamCandidate> = {}): TeamCandidate => ({ userId, capacity: 10, openCases: 0, specialties: [], onDuty: true, dutySchedule: null, ...extra });
const thursdayNoonBJ = new Date('2026-11-26T04:00:00Z');

describe('chooseTeamMember', () => {
  it.each<[string, TeamCandidate[], 'least_loaded' | 'round_robin', number | null, string | null, number | null]>([
    ['least loaded', [m(1, { openCases: 3 }), m(2, { openCases: 1 }), m(3, { openCases: 2 })], 'least_loaded', null, null, 2],
    ['lowest id on equal load', [m(3), m(2)], 'least_loaded', null, null, 2],
    ['skips those off duty', [m(1, { onDuty: false }), m(2, { openCases: 5 })], 'least_loaded', null, null, 2],
    ['skips those at capacity', [m(1, { capacity: 2, openCases: 2 }), m(2, { openCases: 5 })], 'least_loaded', null, null, 2],
    ['prefers a specialist', [m(1), m(2, { openCases: 4, specialties: ['物业纠纷'] })], 'least_loaded', null, '物业纠纷', 2],
    ['round robin: the next after the last', [m(1), m(2), m(3)], 'round_robin', 1, null, 2],
    ['round robin: wraps around', [m(1), m(2), m(3)], 'round_robin', 3, null, 1],
    ['round robin: starts at the lowest id', [m(5), m(4)], 'round_robin', null, null, 4],
    ['round robin skips those off duty', [m(1), m(2, { onDuty: false }), m(3)], 'round_robin', 1, null, 3],
    ['off schedule is off duty', [m(1, { dutySchedule: { days: [6, 7], start: '08:00', end: '20:00' } }), m(2, { openCases: 9 })], 'least_loaded', null, null, 2],
    ['nobody', [m(1, { onDuty: false })], 'least_loaded', null, null, null],
  ])('%s', (_name, members, strategy, lastAssigneeId, category, expected) => {
    expect(chooseTeamMember(members, { strategy, lastAssigneeId, category, now: thursdayNoonBJ })).toBe(expected);
  });
});

describe('onDutyAt', () => {
  it.each<[string, string, boolean]>([
    ['Thursday 12:00 in a weekday day shift', '2026-11-26T04:00:00Z', true],
    ['Thursday 20:00 after the day shift', '2026-11-26T12:00:00Z', false],
    ['Saturday 12:00', '2026-11-28T04:00:00Z', false],
  ])('%s', (_name, at, expected) => {
    expect(onDutyAt({ onDuty: true, dutySchedule: { days: [1, 2, 3, 4, 5], start: '08:30', end: '17:30' } }, new Date(at))).toBe(expected);
  });

  it('handles a night shift across midnight', () => {
    const night = { onDuty: true, dutySchedule: { days: [5], start: '22:00', end: '06:00' } };
    expect(onDutyAt(night, new Date('2026-11-27T15:00:00Z'))).toBe(true); // Friday 23:00 BJ
    expect(onDutyAt(night, new Date('2026-11-27T20:00:00Z'))).toBe(true); // Saturday 04:00 BJ
    expect(onDutyAt(night, new Date('2026-11-28T15:00:00Z'))).toBe(false); // Saturday 23:00 BJ
  });
});
