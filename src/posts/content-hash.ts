import { createHash } from 'node:crypto';

/** Identifies one revision of a post's content. */
export function contentHash(title: string, body: string): string {
  return createHash('sha256').update(title).update('\u0000').update(body).digest('hex');
}
