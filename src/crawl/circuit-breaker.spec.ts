import { circuitAfterRun, circuitAllows, circuitOutcome, CircuitSnapshot } from './circuit-breaker';
import { FetchError } from './http-fetcher';
import { ParseError } from './parsers/parse-error';

const now = new Date('2026-01-01T00:00:00Z');
const settings = { failureThreshold: 3, cooldownSeconds: 60 };
const closed = (failures = 0): CircuitSnapshot => ({ state: 'closed', consecutiveFailures: failures, openUntil: null });
const openUntil = (offsetSeconds: number): CircuitSnapshot => ({ state: 'open', consecutiveFailures: 3, openUntil: new Date(now.getTime() + offsetSeconds * 1000) });

describe('circuit breaker', () => {
  it.each([
    ['closed runs', closed(), { allowed: true, state: 'closed' }],
    ['open during the cool-down is paused', openUntil(30), { allowed: false, state: 'open' }],
    ['open after the cool-down lets a trial through', openUntil(0), { allowed: true, state: 'half_open' }],
  ])('%s', (_name, circuit, expected) => {
    expect(circuitAllows(circuit, now)).toEqual(expected);
  });

  it.each([
    ['a success closes and resets', closed(2), 'success', closed(0)],
    ['a failure below the threshold counts', closed(1), 'failure', closed(2)],
    ['the threshold opens it for the cool-down', closed(2), 'failure', { state: 'open', consecutiveFailures: 3, openUntil: new Date(now.getTime() + 60_000) }],
    ['a failed trial reopens it', { ...openUntil(0), state: 'half_open' }, 'failure', { state: 'open', consecutiveFailures: 4, openUntil: new Date(now.getTime() + 60_000) }],
    ['a good trial closes it', { ...openUntil(0), state: 'half_open' }, 'success', closed(0)],
    ['neutral runs change nothing', closed(2), 'neutral', closed(2)],
  ] as const)('%s', (_name, circuit, outcome, expected) => {
    expect(circuitAfterRun(circuit as CircuitSnapshot, outcome, settings, now)).toEqual(expected);
  });

  it.each([
    ['a crawled page', 'success', 'ok', undefined],
    ['304 Not Modified', 'success', 'not_modified', undefined],
    ['an empty feed', 'neutral', 'empty_feed', undefined],
    ['a timeout', 'failure', 'failed', new FetchError('timeout', 'no answer in 10 s')],
    ['a 503', 'failure', 'failed', new FetchError('http_status', 'HTTP 503', { status: 503 })],
    ['robots.txt unreachable', 'failure', 'failed', new FetchError('robots_disallowed', 'robots.txt could not be fetched')],
    ['a redesigned page', 'failure', 'broken', new ParseError('selector_not_found', 'no thread rows')],
    ['our Redis gone mid-run', 'neutral', 'failed', new Error('Connection is closed.')],
  ] as const)('%s counts as %s for the circuit', (_name, expected, status, error) => {
    expect(circuitOutcome(status, error)).toBe(expected);
  });
});
