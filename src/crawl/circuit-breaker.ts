import type { CrawlRunStatus } from '../sources/crawl-run.entity';
import { FetchError } from './http-fetcher';
import { ParseError } from './parsers/parse-error';

/** closed: crawled as scheduled; open: paused until `openUntil`; half_open: the cool-down is over, one trial run decides. */
export type CircuitState = 'closed' | 'open' | 'half_open';

export interface CircuitSnapshot {
  state: CircuitState;
  consecutiveFailures: number;
  openUntil: Date | null;
}

export interface CircuitSettings {
  failureThreshold: number;
  cooldownSeconds: number;
}

/** Whether a run may start now; an open circuit whose cool-down is over lets one trial run through (pure). */
export function circuitAllows(circuit: CircuitSnapshot, now: Date): { allowed: boolean; state: CircuitState } {
  if (circuit.state !== 'open') return { allowed: true, state: circuit.state };
  if (circuit.openUntil && circuit.openUntil.getTime() <= now.getTime()) return { allowed: true, state: 'half_open' };
  return { allowed: false, state: 'open' };
}

/**
 * The circuit after a run (pure). Success closes it; a failure counts, and opens it at the threshold or at once
 * when the failed run was the half-open trial. Runs that only say "try again later" (an empty feed) are neutral.
 */
export function circuitAfterRun(circuit: CircuitSnapshot, outcome: 'success' | 'failure' | 'neutral', settings: CircuitSettings, now: Date): CircuitSnapshot {
  if (outcome === 'neutral') return circuit;
  if (outcome === 'success') return { state: 'closed', consecutiveFailures: 0, openUntil: null };
  const failures = circuit.consecutiveFailures + 1;
  if (circuit.state === 'half_open' || failures >= settings.failureThreshold) {
    return { state: 'open', consecutiveFailures: failures, openUntil: new Date(now.getTime() + settings.cooldownSeconds * 1000) };
  }
  return { state: 'closed', consecutiveFailures: failures, openUntil: null };
}

/**
 * What a finished run says about the site (pure): it answered (success), it failed us (failure: its answer, its
 * silence or its content), or nothing (neutral): an empty feed only says "try again later", and an error on our side
 * (anything that is neither a FetchError nor a ParseError, e.g. Redis or Postgres away mid-run) is no fault of the site.
 */
export function circuitOutcome(status: CrawlRunStatus, error: unknown): 'success' | 'failure' | 'neutral' {
  if (status === 'ok' || status === 'not_modified') return 'success';
  if (status === 'empty_feed') return 'neutral';
  if (error !== undefined && !(error instanceof FetchError) && !(error instanceof ParseError)) return 'neutral';
  return 'failure';
}
