import * as cheerio from 'cheerio';
import { AppError } from '../common/app-error';
import { SOURCE_KINDS, SourceKind } from './source.entity';

/** What an operator (API, YAML import, seed) gives to create or update a source. */
export interface SourceInput {
  code: string;
  name: string;
  kind: SourceKind;
  /** List page, feed or JSON endpoint; not needed for push sources. */
  url?: string;
  config?: Record<string, unknown>;
  /** Interval between scheduled crawls (ignored when `cron` is set); default crawl.defaultIntervalSeconds. */
  intervalSeconds?: number;
  cron?: string | null;
  jitterSeconds?: number;
  activeHours?: string | null;
  defaultAreaId?: number | null;
  enabled?: boolean;
}

const FIELDS = new Set(['code', 'name', 'kind', 'url', 'config', 'intervalSeconds', 'cron', 'jitterSeconds', 'activeHours', 'defaultAreaId', 'enabled']);
const CRON_FIELD = /^[0-9A-Za-z*?,/#LW-]+$/;
const HOURS = /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/;
/** `data.items`, `items[0].title`, `author.name`; '' (or absent) for the document itself. */
const FIELD_PATH = /^[A-Za-z0-9_$@-]+(\.[A-Za-z0-9_$@-]+|\[\d+\])*$/;

type Fail = (field: string, message: string) => never;

function checkSelector(fail: Fail, field: string, value: unknown, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || value.trim() === '') fail(field, 'must be a CSS selector');
  try {
    cheerio.load('<p></p>')(value as string);
  } catch {
    fail(field, `is not a valid CSS selector (${JSON.stringify(value)})`);
  }
}

function checkPath(fail: Fail, field: string, value: unknown, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || (value !== '' && !FIELD_PATH.test(value))) fail(field, 'must be a field path such as data.items or author.name');
  if (required && value === '') fail(field, 'must be a field path such as data.items or author.name');
}

function object(fail: Fail, field: string, value: unknown, required: boolean): Record<string, unknown> {
  if (value === undefined && !required) return {};
  if (!value || typeof value !== 'object' || Array.isArray(value)) fail(field, 'must be an object');
  return value as Record<string, unknown>;
}

/**
 * Checks a source before it is saved (pure): every problem is reported with the field that is wrong, as
 * `AppError('invalid_request', …, { field })`. `partial` allows missing fields (an update).
 */
export function validateSourceInput(input: Partial<SourceInput>, opts: { partial?: boolean } = {}): void {
  const label = typeof input?.code === 'string' ? input.code : '(new)';
  const fail: Fail = (field, message) => {
    throw new AppError('invalid_request', `Source ${label}: ${field} ${message}`, { field });
  };
  if (!input || typeof input !== 'object' || Array.isArray(input)) fail('body', 'must be an object');
  for (const key of Object.keys(input)) if (!FIELDS.has(key)) fail(key, 'is not a known source field');
  const need = (key: keyof SourceInput) => !opts.partial || input[key] !== undefined;
  if (need('code') && !/^[a-z0-9][a-z0-9-]{1,63}$/.test(String(input.code ?? ''))) fail('code', 'must be 2-64 of a-z 0-9 -');
  if (need('name') && (typeof input.name !== 'string' || input.name.trim() === '' || input.name.length > 200)) fail('name', 'must be 1-200 characters');
  if (need('kind') && !SOURCE_KINDS.includes(input.kind as SourceKind)) fail('kind', `must be one of ${SOURCE_KINDS.join(', ')}`);
  if (input.url !== undefined || (!opts.partial && input.kind !== 'push')) {
    let url: URL | undefined;
    try {
      url = new URL(String(input.url));
    } catch {
      fail('url', 'must be an absolute URL');
    }
    if (url && !['http:', 'https:'].includes(url.protocol)) fail('url', 'must be http or https');
  }
  if (input.intervalSeconds !== undefined && (!Number.isInteger(input.intervalSeconds) || input.intervalSeconds < 10 || input.intervalSeconds > 86_400)) {
    fail('intervalSeconds', 'must be an integer from 10 to 86400');
  }
  if (input.cron !== undefined && input.cron !== null) {
    const fields = typeof input.cron === 'string' ? input.cron.trim().split(/\s+/) : [];
    if (fields.length < 5 || fields.length > 6 || !fields.every((f) => CRON_FIELD.test(f))) fail('cron', 'must be a cron pattern of 5 or 6 fields, e.g. "*/10 7-22 * * *"');
  }
  if (input.jitterSeconds !== undefined) {
    if (!Number.isInteger(input.jitterSeconds) || input.jitterSeconds < 0 || input.jitterSeconds > 3600) fail('jitterSeconds', 'must be an integer from 0 to 3600');
    if (input.intervalSeconds !== undefined && !input.cron && input.jitterSeconds * 2 > input.intervalSeconds) fail('jitterSeconds', 'must be at most half of intervalSeconds');
  }
  if (input.activeHours !== undefined && input.activeHours !== null && (typeof input.activeHours !== 'string' || !HOURS.test(input.activeHours))) {
    fail('activeHours', 'must be "HH:MM-HH:MM" (Asia/Shanghai), e.g. "07:00-23:00"');
  }
  if (input.defaultAreaId !== undefined && input.defaultAreaId !== null && !Number.isInteger(input.defaultAreaId)) fail('defaultAreaId', 'must be an area id');
  if (input.enabled !== undefined && typeof input.enabled !== 'boolean') fail('enabled', 'must be true or false');
  if (input.config !== undefined || !opts.partial) validateKindConfig(fail, input.kind, input.config);
}

function validateKindConfig(fail: Fail, kind: SourceKind | undefined, raw: unknown): void {
  const config = object(fail, 'config', raw, kind === 'html' || kind === 'json');
  if (kind === 'html') {
    const list = object(fail, 'config.list', config.list, true);
    const detail = object(fail, 'config.detail', config.detail, true);
    checkSelector(fail, 'config.list.item', list.item, true);
    checkSelector(fail, 'config.list.link', list.link, true);
    for (const key of ['title', 'author', 'time', 'replies', 'views', 'next']) checkSelector(fail, `config.list.${key}`, list[key], false);
    checkSelector(fail, 'config.detail.body', detail.body, true);
    for (const key of ['title', 'author', 'time']) checkSelector(fail, `config.detail.${key}`, detail[key], false);
    if (config.idPattern !== undefined) {
      let pattern: RegExp | undefined;
      try {
        pattern = new RegExp(String(config.idPattern));
      } catch {
        fail('config.idPattern', 'is not a valid regular expression');
      }
      if (pattern && !/\((?!\?)/.test(pattern.source)) fail('config.idPattern', 'must have one capture group');
    }
  }
  if (kind === 'json') {
    checkPath(fail, 'config.listPath', config.listPath ?? '', false);
    const fields = object(fail, 'config.fields', config.fields, true);
    checkPath(fail, 'config.fields.id', fields.id, true);
    checkPath(fail, 'config.fields.title', fields.title, true);
    for (const key of ['body', 'author', 'time', 'url', 'replies', 'views']) checkPath(fail, `config.fields.${key}`, fields[key], false);
    for (const key of Object.keys(fields)) {
      if (!['id', 'title', 'body', 'author', 'time', 'url', 'replies', 'views'].includes(key)) fail(`config.fields.${key}`, 'is not a known field');
    }
  }
  if (kind === 'discuz' && config.maxPages !== undefined && (!Number.isInteger(config.maxPages) || (config.maxPages as number) < 1)) {
    fail('config.maxPages', 'must be a positive integer');
  }
}
