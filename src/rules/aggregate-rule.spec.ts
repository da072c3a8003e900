import { AggregateConditionError, evaluateAggregate, raisedLevel, validateAggregateCondition } from './aggregate-rule';

const H = 3_600_000;
const now = 1000 * H;
const at = (hoursAgo: number, author: string | null = null) => ({ at: now - hoursAgo * H, author });

describe('aggregate conditions', () => {
  it.each([
    ['3 posts in 24 h, need 3', { type: 'frequency', windowHours: 24, minPosts: 3 }, [at(1), at(5), at(23)], true],
    ['one of them is older than the window', { type: 'frequency', windowHours: 24, minPosts: 3 }, [at(1), at(5), at(25)], false],
    ['3 distinct authors', { type: 'frequency', windowHours: 24, minAuthors: 3 }, [at(1, 'a'), at(2, 'b'), at(3, 'c')], true],
    ['one author posting 3 times', { type: 'frequency', windowHours: 24, minAuthors: 3 }, [at(1, 'a'), at(2, 'a'), at(3, 'a')], false],
    ['spike: 6 now against 1 per window before', { type: 'spike', windowHours: 24, baselineWindows: 7, factor: 3, minPosts: 3 }, [...[1, 2, 3, 4, 5, 6].map((h) => at(h)), ...[30, 60, 90, 120, 150, 170, 190].map((h) => at(h))], true],
    ['no spike: as many as usual', { type: 'spike', windowHours: 24, baselineWindows: 7, factor: 3, minPosts: 3 }, [...[1, 2, 3].map((h) => at(h)), ...[25, 30, 50, 55, 60, 80, 85, 90, 100, 110, 120].map((h) => at(h))], false],
    ['spike from nothing still needs minPosts', { type: 'spike', windowHours: 24, baselineWindows: 7, factor: 3, minPosts: 3 }, [at(1), at(2)], false],
  ])('%s → %s', (_, condition, events, holds) => {
    expect(evaluateAggregate(validateAggregateCondition(condition), events, now).holds).toBe(holds);
  });

  it.each([
    [{ type: 'burst' }, 'type'],
    [{ type: 'frequency', windowHours: 24 }, 'minPosts'],
    [{ type: 'frequency', windowHours: 0, minPosts: 2 }, 'windowHours'],
    [{ type: 'spike', windowHours: 24, baselineWindows: 7, factor: -1, minPosts: 3 }, 'factor'],
    [{ type: 'frequency', windowHours: 24, minPosts: 2, level: 'purple' }, 'level'],
  ])('rejects %j naming %s', (input, field) => {
    expect(() => validateAggregateCondition(input)).toThrow(AggregateConditionError);
    try {
      validateAggregateCondition(input);
    } catch (e) {
      expect((e as AggregateConditionError).field).toBe(field);
    }
  });

  it('keeps an optional level', () => {
    expect(validateAggregateCondition({ type: 'frequency', windowHours: 24, minPosts: 2, level: 'red' })).toEqual({ type: 'frequency', windowHours: 24, minPosts: 2, level: 'red' });
    expect(validateAggregateCondition({ type: 'frequency', windowHours: 24, minPosts: 2 })).not.toHaveProperty('level');
  });

  it.each([
    ['blue', {}, 'orange', 'orange'],
    ['blue', { level: 'red' as const }, 'yellow', 'red'],
    ['orange', {}, 'orange', null],
    ['red', {}, 'yellow', null],
    ['red', { level: 'orange' as const }, 'red', null],
    ['yellow', { level: 'orange' as const }, 'blue', 'orange'],
  ])('case %s, condition %j, rule %s → raised to %s', (current, condition, rule, expected) => {
    expect(raisedLevel(current, condition, rule as 'blue')).toBe(expected);
  });
});
