import { maskPersonalData } from '../analysis/personal-data';

/**
 * Masks phone numbers, ID-card numbers (and e-mail addresses, plates) in any text that leaves the
 * service in a notification. One seam: the analysis module's masker today, replaceable here.
 */
export function maskForNotification(text: string): string {
  return maskPersonalData(text);
}

/** Every string inside a JSON-like value masked (for the structured data sent along with a message). */
export function maskDeep<T>(value: T): T {
  if (typeof value === 'string') return maskForNotification(value) as T;
  if (Array.isArray(value)) return value.map((v) => maskDeep(v)) as T;
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskDeep(v)])) as T;
  }
  return value;
}
