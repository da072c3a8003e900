/**
 * Aggregate warning conditions over the matching posts of one area and topic (pure):
 *
 * - frequency: at least `minPosts` matching posts, or at least `minAuthors` distinct authors,
 *   within the last `windowHours`;
 * - spike: the count in the last `windowHours` is at least `factor` times the average count per
 *   window over the trailing `baselineWindows` windows before it (and at least `minPosts`).
 *
 * The caller (correlation) opens a case when one holds, or raises the level of the open case the
 * post joins to the condition's `level` (default: the rule's level) when that is higher.
 */
import type { WarningLevel } from './rule.entity';

const LEVELS: readonly WarningLevel[] = ['blue', 'yellow', 'orange', 'red'];

/** blue < yellow < orange < red; -1 for anything else. */
export function levelRank(level: string): number {
  return LEVELS.indexOf(level as WarningLevel);
}

export interface FrequencyCondition {
  type: 'frequency';
  windowHours: number;
  minPosts?: number;
  minAuthors?: number;
  /** The level an open case is raised to when the condition holds (default: the rule's level). */
  level?: WarningLevel;
}

export interface SpikeCondition {
  type: 'spike';
  windowHours: number;
  baselineWindows: number;
  factor: number;
  minPosts: number;
  level?: WarningLevel;
}

export type AggregateCondition = FrequencyCondition | SpikeCondition;

export interface AggregateEvent {
  /** ms since the epoch */
  at: number;
  author: string | null;
}

export interface AggregateOutcome {
  holds: boolean;
  posts: number;
  authors: number;
  /** Spike only: the trailing average per window. */
  baseline?: number;
}

export class AggregateConditionError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export function validateAggregateCondition(input: unknown): AggregateCondition {
  const o = (typeof input === 'object' && input !== null ? input : {}) as Record<string, unknown>;
  const positive = (field: string, max: number, optional = false): number | undefined => {
    const v = o[field];
    if (v === undefined && optional) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > max) throw new AggregateConditionError(field, `${field} must be a number above 0 and at most ${max}`);
    return v;
  };
  if (o.level !== undefined && levelRank(o.level as string) < 0) throw new AggregateConditionError('level', `level must be one of ${LEVELS.join(', ')}`);
  const level = o.level === undefined ? {} : { level: o.level as WarningLevel };
  if (o.type === 'frequency') {
    const c: FrequencyCondition = { type: 'frequency', windowHours: positive('windowHours', 24 * 90)!, minPosts: positive('minPosts', 1e6, true), minAuthors: positive('minAuthors', 1e6, true), ...level };
    if (c.minPosts === undefined && c.minAuthors === undefined) throw new AggregateConditionError('minPosts', 'a frequency condition needs minPosts or minAuthors');
    return c;
  }
  if (o.type === 'spike') {
    return { type: 'spike', windowHours: positive('windowHours', 24 * 90)!, baselineWindows: positive('baselineWindows', 365)!, factor: positive('factor', 1000)!, minPosts: positive('minPosts', 1e6)!, ...level };
  }
  throw new AggregateConditionError('type', 'type must be frequency or spike');
}

/** Whether the condition holds at `now` over the events of one area and topic. */
export function evaluateAggregate(condition: AggregateCondition, events: readonly AggregateEvent[], now: number): AggregateOutcome {
  const window = condition.windowHours * 3_600_000;
  const recent = events.filter((e) => e.at > now - window && e.at <= now);
  const authors = new Set(recent.map((e) => e.author).filter((a): a is string => !!a)).size;
  if (condition.type === 'frequency') {
    const holds = (condition.minPosts !== undefined && recent.length >= condition.minPosts) || (condition.minAuthors !== undefined && authors >= condition.minAuthors);
    return { holds, posts: recent.length, authors };
  }
  const start = now - window * (condition.baselineWindows + 1);
  const before = events.filter((e) => e.at > start && e.at <= now - window).length;
  const baseline = before / condition.baselineWindows;
  const holds = recent.length >= condition.minPosts && recent.length >= condition.factor * Math.max(baseline, 1 / condition.baselineWindows);
  return { holds, posts: recent.length, authors, baseline };
}

/** The level to raise an open case to when an aggregate condition holds: the condition's level, else the rule's; null when the case is already at it or above. */
export function raisedLevel(current: string, condition: Pick<AggregateCondition, 'level'>, ruleLevel: WarningLevel): WarningLevel | null {
  const target = condition.level ?? ruleLevel;
  return levelRank(target) > levelRank(current) ? target : null;
}
