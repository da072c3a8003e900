import { FetchError } from './http-fetcher';
import { decideRetry, RetrySettings } from './retry-policy';

const settings: RetrySettings = { attempts: 4, baseDelayMs: 1000, maxDelayMs: 5000, maxRetryAfterMs: 60_000 };
const http = (status: number, retryAfterMs?: number) => new FetchError('http_status', `HTTP ${status}`, { status, retryAfterMs, retryable: status === 429 || status >= 500 });

describe('decideRetry', () => {
  it.each([
    ['a 503, first try, jitter at the top', http(503), 1, () => 0.999_999, { retry: true, delayMs: 1000 }],
    ['a 503, second try', http(503), 2, () => 0.5, { retry: true, delayMs: 1000 }],
    ['a timeout, third try', new FetchError('timeout', 't'), 3, () => 0.5, { retry: true, delayMs: 2000 }],
    ['backoff is capped at maxDelayMs', new FetchError('network', 'n'), 3, () => 1, { retry: true, delayMs: 4000 }],
    ['full jitter may wait nothing', new FetchError('network', 'n'), 1, () => 0, { retry: true, delayMs: 0 }],
    ['429 waits for Retry-After', http(429, 7000), 1, () => 0, { retry: true, delayMs: 7000 }],
    ['a Retry-After beyond the cap ends the run', http(429, 120_000), 1, () => 0, { retry: false, reason: 'retry_after_too_long' }],
    ['attempts are limited', http(500), 4, () => 0, { retry: false, reason: 'attempts_exhausted' }],
    ['404 is not retried', http(404), 1, () => 0, { retry: false, reason: 'not_retryable' }],
    ['a size refusal is not retried', new FetchError('too_large', 'x'), 1, () => 0, { retry: false, reason: 'not_retryable' }],
    ['a blocked address is not retried', new FetchError('blocked_address', 'x'), 1, () => 0, { retry: false, reason: 'not_retryable' }],
    ['other errors are not retried', new Error('boom'), 1, () => 0, { retry: false, reason: 'not_retryable' }],
  ])('%s', (_name, error, attempt, random, expected) => {
    expect(decideRetry(error, attempt, settings, random)).toEqual(expected);
  });

  it('caps exponential growth at maxDelayMs', () => {
    const many = { ...settings, attempts: 50 };
    expect(decideRetry(new FetchError('network', 'n'), 40, many, () => 1)).toEqual({ retry: true, delayMs: 5000 });
  });
});
