import * as cheerio from 'cheerio';
import type { Cheerio } from 'cheerio';
import type { CrawledItem, RssParseResult } from '../crawl.types';
import { parseForumTime } from './forum-time';
import { htmlFragmentToText, normalizeLines, parseCount } from './html.parser';
import { ParseError } from './parse-error';

/** cheerio's node type (from domhandler, which cheerio does not re-export). */
type AnyNode = Parameters<typeof cheerio.contains>[1];
type Node = Cheerio<AnyNode>;

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};
/**
 * RFC 822 zone names. "CST" is China Standard Time here, not US Central: Java-based Chinese sites print
 * Asia/Shanghai times as "CST", and this service reads Chinese sources.
 */
const RFC822_ZONES: Record<string, string> = {
  GMT: 'Z', UT: 'Z', UTC: 'Z', Z: 'Z', CST: '+08:00',
  EST: '-05:00', EDT: '-04:00', CDT: '-05:00', MST: '-07:00', MDT: '-06:00', PST: '-08:00', PDT: '-07:00',
};
const RFC822 =
  /(\d{1,2})\s+([A-Za-z]{3})[A-Za-z]*\.?\s+(\d{4}|\d{2})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([A-Za-z]{1,5}|[+-]\d{4}))?/;

/**
 * Parses an RSS 2.0 (or RSS 1.0 / RDF) or Atom document into posts.
 *
 * externalId is the guid / Atom id, else the item's link; items with neither are skipped (they have no stable
 * identity). url is the link resolved against `feedUrl` (else a URL-shaped guid / id, else the feed URL).
 * body is content:encoded / description or Atom content / summary as plain text. `hasEntries` is false when the
 * feed has no items at all. Throws `ParseError('not_a_feed')` when the root element is not `rss`, `rdf:RDF` or `feed`.
 */
export function parseFeed(xml: string, feedUrl: string): RssParseResult {
  const $ = cheerio.load(xml, { xml: true });
  const root: Node = $.root().children().first();
  const rootName = nameOf(root);
  if (rootName === 'rss' || rootName === 'rdf:rdf') {
    const entries = [...children(children(root, 'channel'), 'item').toArray(), ...children(root, 'item').toArray()];
    return toResult(entries.map((entry) => rssItem($(entry), feedUrl)));
  }
  if (rootName === 'feed') {
    const feedAuthor = atomAuthor(root);
    const entries = children(root, 'entry').toArray();
    return toResult(entries.map((entry) => atomEntry($(entry), feedUrl, feedAuthor)));
  }
  throw new ParseError('not_a_feed', `${feedUrl} is not an RSS or Atom feed (root element: ${rootName ?? 'none'})`);
}

/** A feed date: RFC 822 (`pubDate`), else ISO 8601 or a Chinese forum format via `parseForumTime`. */
export function parseFeedDate(text: string | undefined): Date | undefined {
  if (!text) return undefined;
  const m = RFC822.exec(text);
  if (!m) return parseForumTime(text);
  const [, day, monthName, yearText, hour, minute, second, zoneText] = m;
  const month = MONTHS[monthName.toLowerCase()];
  if (!month) return undefined;
  const year = yearText.length === 2 ? (Number(yearText) < 50 ? 2000 : 1900) + Number(yearText) : Number(yearText);
  // No zone or an unknown one: read as Asia/Shanghai, like other zone-less times from Chinese sources.
  const zone = zoneText ? (RFC822_ZONES[zoneText.toUpperCase()] ?? (/^[+-]/.test(zoneText) ? zoneText : '')) : '';
  const iso = `${year}-${pad(month)}-${pad(Number(day))}T${pad(Number(hour))}:${minute}:${second ?? '00'}${zone}`;
  return parseForumTime(iso);
}

function toResult(items: (CrawledItem | undefined)[]): RssParseResult {
  return { hasEntries: items.length > 0, items: items.filter((item): item is CrawledItem => item !== undefined) };
}

function rssItem(item: Node, feedUrl: string): CrawledItem | undefined {
  const guid = childText(item, 'guid');
  const link = resolveHttpUrl(childText(item, 'link') ?? children(item, 'link').attr('href'), feedUrl);
  const externalId = guid ?? link;
  if (!externalId) return undefined;
  const body = first(children(item, 'content:encoded'), children(item, 'description'));
  return {
    externalId,
    url: link ?? resolveHttpUrl(guid, feedUrl, true) ?? feedUrl,
    title: singleLine(childText(item, 'title')),
    body: body ? htmlFragmentToText(markup(body)) : '',
    author: rssAuthor(childText(item, 'author')) ?? childText(item, 'dc:creator'),
    publishedAt: parseFeedDate(childText(item, 'pubdate') ?? childText(item, 'dc:date')),
    replies: parseCount(childText(item, 'slash:comments')),
  };
}

function atomEntry(entry: Node, feedUrl: string, feedAuthor: string | undefined): CrawledItem | undefined {
  const id = childText(entry, 'id');
  const link = resolveHttpUrl(atomLink(entry), feedUrl);
  const externalId = id ?? link;
  if (!externalId) return undefined;
  const body = first(children(entry, 'content'), children(entry, 'summary'));
  return {
    externalId,
    url: link ?? resolveHttpUrl(id, feedUrl, true) ?? feedUrl,
    title: singleLine(atomText(children(entry, 'title'))),
    body: body ? atomText(body) : '',
    author: atomAuthor(entry) ?? childText(entry, 'dc:creator') ?? feedAuthor,
    publishedAt: parseFeedDate(childText(entry, 'published') ?? childText(entry, 'updated')),
  };
}

/** The alternate link (`rel` absent or "alternate"), else the first link. */
function atomLink(entry: Node): string | undefined {
  const links = children(entry, 'link');
  const alternate = links.filter((_, link) => (link.attribs.rel ?? 'alternate') === 'alternate').first();
  return (alternate.length > 0 ? alternate : links.first()).attr('href');
}

function atomAuthor(scope: Node): string | undefined {
  return childText(children(scope, 'author').first(), 'name');
}

/** Atom text constructs: `type="html"` is escaped HTML, `type="xhtml"` is inline markup, else plain text. */
function atomText(element: Node): string {
  if (element.length === 0) return '';
  const type = element.attr('type');
  if (type === 'html' || type === 'xhtml' || type?.includes('html') || hasElementChildren(element)) {
    return htmlFragmentToText(markup(element));
  }
  return normalizeLines(element.text());
}

/** RSS `author` is an e-mail address, often "lee@example.com (李雷)": keep the name when there is one. */
function rssAuthor(author: string | undefined): string | undefined {
  const named = author ? /^\S+@\S+\s*\((.+)\)$/.exec(author) : null;
  return named ? named[1].trim() : author;
}

/** The HTML inside an element: its inner markup when it has child elements (unescaped HTML), else its text (escaped HTML or CDATA). */
function markup(element: Node): string {
  return hasElementChildren(element) ? (element.html() ?? '') : element.text();
}

function hasElementChildren(element: Node): boolean {
  return element.children().length > 0;
}

/** Child elements named `name` (case-insensitive, prefix included, e.g. "dc:creator"). */
function children(scope: Node, name: string) {
  return scope.children().filter((_, child) => child.name.toLowerCase() === name);
}

/** Trimmed text of the first child named `name`, or undefined when absent or blank. */
function childText(scope: Node, name: string): string | undefined {
  const text = children(scope, name).first().text().trim();
  return text === '' ? undefined : text;
}

/** The first of the candidate elements that exists and is not blank. */
function first(...candidates: Node[]): Node | undefined {
  return candidates.map((c) => c.first()).find((c) => c.length > 0 && markup(c).trim() !== '');
}

function nameOf(element: Node): string | undefined {
  const node = element.get(0);
  return node && 'name' in node ? node.name.toLowerCase() : undefined;
}

function singleLine(text: string | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

/** Absolute http(s) URL, or undefined. With `absoluteOnly`, relative references are refused (for opaque guids). */
function resolveHttpUrl(value: string | undefined, base: string, absoluteOnly = false): string | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (absoluteOnly && !/^https?:\/\//i.test(trimmed)) return undefined;
  try {
    const url = new URL(trimmed, base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}
