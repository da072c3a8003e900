import { circuitAfterRun, circuitAllows, CircuitSnapshot } from './circuit-breaker';

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
});
