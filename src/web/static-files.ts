import { extname, resolve, sep } from 'node:path';

/** Content types of the files the console ships (anything else is not served). */
export const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

export type StaticTarget = { file: string; contentType: string } | { rejected: 'not_found' };

/**
 * Maps a request path below the console (e.g. `js/app.js`, '' for the index) to a file inside
 * `root`. Pure: refuses traversal, hidden files, encoded separators and unknown types.
 */
export function resolveStaticFile(root: string, requestPath: string): StaticTarget {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requestPath);
  } catch {
    return { rejected: 'not_found' };
  }
  const relative = decoded === '' || decoded.endsWith('/') ? `${decoded}index.html` : decoded;
  const segments = relative.split('/');
  if (relative.includes('\\') || relative.includes('\0') || segments.some((s) => s === '' || s === '.' || s === '..' || s.startsWith('.'))) {
    return { rejected: 'not_found' };
  }
  const contentType = CONTENT_TYPES[extname(relative).toLowerCase()];
  if (!contentType) return { rejected: 'not_found' };
  const base = resolve(root);
  const file = resolve(base, ...segments);
  if (!file.startsWith(base + sep)) return { rejected: 'not_found' };
  return { file, contentType };
}
