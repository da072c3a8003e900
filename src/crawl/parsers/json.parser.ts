import type { CrawledItem } from '../crawl.types';
import { parseForumTime } from './forum-time';
import { htmlFragmentToText, normalizeLines, parseCount } from './html.parser';
import { ParseError } from './parse-error';

/** A JSON API described by field paths (`data.items`, `author.name`, `images[0].url`). */
export interface JsonSourceConfig {
  /** Path to the array of items; '' or absent when the document itself is the array. */
  listPath?: string;
  fields: { id: string; title: string; body?: string; author?: string; time?: string; url?: string; replies?: string; views?: string };
}

/** The value at a dotted path (`a.b[0].c` or `a.b.0.c`); undefined when any step is missing. '' is the value itself. */
export function valueAtPath(value: unknown, path: string | undefined): unknown {
  if (!path) return value;
  const steps = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let node: unknown = value;
  for (const step of steps) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[step];
  }
  return node;
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Seconds or milliseconds since the epoch, or a date string (ISO, "2024-05-01 08:30", "3 分钟前"…). */
function timeValue(value: unknown): Date | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value < 1e12 ? value * 1000 : value);
  if (typeof value === 'string' && /^\d{10}(\d{3})?$/.test(value.trim())) return timeValue(Number(value));
  return typeof value === 'string' ? parseForumTime(value) : undefined;
}

/**
 * Items of a JSON source (pure). A missing or non-array list path, or items that all lack the id or title path,
 * mean the API changed: `ParseError('field_not_found')` naming the path. Single items without an id are skipped.
 * HTML in bodies is reduced to text; URLs are resolved against the endpoint (default: endpoint#id).
 */
export function parseJsonItems(text: string, pageUrl: string, config: JsonSourceConfig): CrawledItem[] {
  let document: unknown;
  try {
    document = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new ParseError('not_json', `the response of ${pageUrl} is not JSON`);
  }
  const list = valueAtPath(document, config.listPath);
  if (!Array.isArray(list)) {
    throw new ParseError('field_not_found', `list path "${config.listPath ?? ''}" (config.listPath) is not an array in the response of ${pageUrl}`);
  }
  const { fields } = config;
  const items: CrawledItem[] = [];
  const seen = new Set<string>();
  for (const raw of list) {
    const externalId = scalarText(valueAtPath(raw, fields.id));
    const title = scalarText(valueAtPath(raw, fields.title));
    if (!externalId || seen.has(externalId)) continue;
    seen.add(externalId);
    const bodyRaw = fields.body ? scalarText(valueAtPath(raw, fields.body)) : undefined;
    const link = fields.url ? scalarText(valueAtPath(raw, fields.url)) : undefined;
    let url = `${pageUrl.split('#')[0]}#${encodeURIComponent(externalId)}`;
    if (link) {
      try {
        const resolved = new URL(link, pageUrl);
        if (resolved.protocol === 'http:' || resolved.protocol === 'https:') url = resolved.href;
      } catch {
        /* keep the default */
      }
    }
    items.push({
      externalId,
      url,
      title: title ?? '',
      body: bodyRaw ? (/<[a-z][^>]*>/i.test(bodyRaw) ? htmlFragmentToText(bodyRaw) : normalizeLines(bodyRaw)) : '',
      author: fields.author ? scalarText(valueAtPath(raw, fields.author)) : undefined,
      publishedAt: fields.time ? timeValue(valueAtPath(raw, fields.time)) : undefined,
      replies: fields.replies ? parseCount(scalarText(valueAtPath(raw, fields.replies))) : undefined,
      views: fields.views ? parseCount(scalarText(valueAtPath(raw, fields.views))) : undefined,
    });
  }
  if (list.length > 0 && items.length === 0) {
    throw new ParseError('field_not_found', `id path "${fields.id}" (config.fields.id) is missing in every item of ${pageUrl}`);
  }
  if (items.length > 0 && items.every((i) => i.title === '')) {
    throw new ParseError('field_not_found', `title path "${fields.title}" (config.fields.title) is missing in every item of ${pageUrl}`);
  }
  return items;
}
