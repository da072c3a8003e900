import { FetchError } from './http-fetcher';

export interface RetrySettings {
  /** Tries in all (1 = no retry). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the run fails and the next scheduled run tries again. */
  maxRetryAfterMs: number;
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: 'not_retryable' | 'attempts_exhausted' | 'retry_after_too_long' };

/**
 * Whether to try a failed request again and after how long (pure). `attempt` counts from 1 (the try that just
 * failed). Network errors, timeouts, 5xx and 429 are retried with exponential backoff and full jitter,
 * `random() * min(max, base * 2^(attempt-1))`; a Retry-After header wins when the server sent one.
 */
export function decideRetry(error: unknown, attempt: number, settings: RetrySettings, random: () => number = Math.random): RetryDecision {
  if (!(error instanceof FetchError) || !error.retryable) return { retry: false, reason: 'not_retryable' };
  if (error.retryAfterMs !== undefined && error.retryAfterMs > settings.maxRetryAfterMs) return { retry: false, reason: 'retry_after_too_long' };
  if (attempt >= settings.attempts) return { retry: false, reason: 'attempts_exhausted' };
  if (error.retryAfterMs !== undefined) return { retry: true, delayMs: error.retryAfterMs };
  const ceiling = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
  return { retry: true, delayMs: Math.round(random() * ceiling) };
}
