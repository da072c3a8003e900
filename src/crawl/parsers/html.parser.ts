import * as cheerio from 'cheerio';
import type { Cheerio } from 'cheerio';
import type { HtmlSourceConfig, ListEntry } from '../crawl.types';
import { parseForumTime } from './forum-time';
import { ParseError } from './parse-error';

/** What a detail page yields; the caller merges it with the list entry into a CrawledItem. */
export interface DetailPage {
  title: string;
  body: string;
  author?: string;
  publishedAt?: Date;
}

/** cheerio's node type (from domhandler, which cheerio does not re-export). */
type AnyNode = Parameters<typeof cheerio.contains>[1];

/** The parts of a DOM node the text walker reads (structurally satisfied by cheerio's nodes). */
interface DomNode {
  readonly type: string;
  readonly name?: string;
  readonly data?: string;
  readonly children?: readonly DomNode[];
}

/** Elements whose content is never text a reader sees. */
const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'head', 'iframe', 'object', 'svg', 'canvas']);
/** Elements that start a new line. */
const BLOCKS = new Set([
  'address', 'article', 'aside', 'blockquote', 'caption', 'center', 'dd', 'details', 'dialog', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'li',
  'main', 'nav', 'ol', 'p', 'pre', 'section', 'summary', 'table', 'tbody', 'thead', 'tfoot', 'tr', 'ul',
]);
/** Table cells are separated by a space within their row. */
const CELLS = new Set(['td', 'th']);

/**
 * Extracts the entries of a forum list page. Links are resolved against `pageUrl` (fragments dropped) and entries
 * are de-duplicated by external id, first occurrence wins. Items without a usable http(s) link are skipped.
 * A page where `config.list.item` matches nothing yields `[]`: an empty board is not an error here.
 */
export function parseListPage(html: string, pageUrl: string, config: HtmlSourceConfig): ListEntry[] {
  const $ = cheerio.load(html);
  const { list } = config;
  const idPattern = compileIdPattern(config.idPattern);
  const seen = new Set<string>();
  const entries: ListEntry[] = [];
  for (const element of $(list.item).toArray()) {
    const item = $(element);
    const link = item.is(list.link) ? item : item.find(list.link).first();
    const url = resolveHttpUrl(link.attr('href'), pageUrl);
    if (!url) continue;
    const externalId = externalIdFor(url, idPattern);
    if (seen.has(externalId)) continue;
    seen.add(externalId);
    entries.push({
      externalId,
      url,
      title: (list.title ? selectText(item, list.title) : undefined) ?? nonEmpty(inlineText(link)),
      author: list.author ? selectText(item, list.author) : undefined,
      publishedAt: list.time ? selectTime(item, list.time) : undefined,
      replies: list.replies ? parseCount(selectText(item, list.replies)) : undefined,
      views: list.views ? parseCount(selectText(item, list.views)) : undefined,
    });
  }
  return entries;
}

/**
 * Throws `ParseError('selector_not_found')` naming the selector when a list page yields no entries because the
 * source's selectors no longer match (the layout changed): the item selector matches nothing, or items match but
 * none has a link. Call it when `parseListPage` returned nothing.
 */
export function assertListSelectorsMatch(html: string, pageUrl: string, config: HtmlSourceConfig): void {
  const $ = cheerio.load(html);
  const items = $(config.list.item);
  if (items.length === 0) {
    throw new ParseError('selector_not_found', `list item selector "${config.list.item}" (config.list.item) matched nothing on ${pageUrl}`);
  }
  throw new ParseError('selector_not_found', `list link selector "${config.list.link}" (config.list.link) found no link in ${items.length} items on ${pageUrl}`);
}

/** The absolute URL of the next list page (`config.list.next`), when there is one. */
export function nextListPageUrl(html: string, pageUrl: string, selector: string | undefined): string | undefined {
  if (!selector) return undefined;
  const $ = cheerio.load(html);
  const next = resolveHttpUrl($(selector).first().attr('href'), pageUrl);
  return next && next !== pageUrl ? next : undefined;
}

/**
 * Extracts one post from its detail page. The body is the first element matching `config.detail.body`; when nothing
 * matches, the source's layout has changed and a `ParseError('selector_not_found')` is thrown. The title falls back to
 * the document's `<title>` when `config.detail.title` is absent or matches nothing.
 */
export function parseDetailPage(html: string, url: string, config: HtmlSourceConfig): DetailPage {
  const $ = cheerio.load(html);
  const { detail } = config;
  const bodyElement = $(detail.body).first();
  if (bodyElement.length === 0) {
    throw new ParseError('selector_not_found', `detail body selector "${detail.body}" (config.detail.body) matched nothing on ${url}`);
  }
  const root = $.root();
  return {
    title: (detail.title ? selectText(root, detail.title) : undefined) ?? nonEmpty(inlineText($('title').first())) ?? '',
    body: nodesToText(bodyElement.toArray()),
    author: detail.author ? selectText(root, detail.author) : undefined,
    publishedAt: detail.time ? selectTime(root, detail.time) : undefined,
  };
}

/** Converts an HTML fragment (an RSS description, say) to plain text with paragraphs as lines. */
export function htmlFragmentToText(html: string): string {
  const $ = cheerio.load(html, null, false);
  return nodesToText($.root().contents().toArray());
}

/**
 * Plain text of DOM nodes: scripts and styles dropped, `<br>` and block elements become line breaks, whitespace
 * (including `&nbsp;` and the ideographic space) collapsed within each line, lines trimmed, empty lines removed.
 */
export function nodesToText(nodes: readonly DomNode[]): string {
  const chunks: string[] = [];
  const walk = (node: DomNode): void => {
    if (node.type === 'text') {
      chunks.push((node.data ?? '').replace(/\s+/g, ' '));
      return;
    }
    if (node.type === 'cdata') {
      node.children?.forEach(walk);
      return;
    }
    // Scripts and styles have their own node types; comments and directives carry no text.
    if (node.type !== 'tag') return;
    const name = (node.name ?? '').toLowerCase();
    if (SKIPPED.has(name)) return;
    if (name === 'br') {
      chunks.push('\n');
      return;
    }
    const block = BLOCKS.has(name);
    if (block) chunks.push('\n');
    node.children?.forEach(walk);
    if (block) chunks.push('\n');
    else if (CELLS.has(name)) chunks.push(' ');
  };
  nodes.forEach(walk);
  return normalizeLines(chunks.join(''));
}

/** Collapses whitespace within each line, trims lines, drops empty ones. */
export function normalizeLines(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter((line) => line !== '')
    .join('\n');
}

/**
 * The first integer in a count such as "回复 12", "12", "1,234" or "1.2万"; undefined when there is none.
 * In "3/45" (replies/views in one cell) it is the first number.
 */
export function parseCount(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const match = /(\d+(?:,\d{3})*(?:\.\d+)?)\s*(万)?/.exec(text);
  if (!match) return undefined;
  const value = Number(match[1].replace(/,/g, ''));
  return Math.round(match[2] ? value * 10_000 : value);
}

function compileIdPattern(pattern: string | undefined): RegExp | undefined {
  return pattern ? new RegExp(pattern) : undefined;
}

/** The first capture group of `idPattern` on the URL, or the URL itself. */
function externalIdFor(url: string, idPattern: RegExp | undefined): string {
  const match = idPattern?.exec(url);
  return match?.[1] || url;
}

/** Absolute http(s) URL without fragment, or undefined for missing, `javascript:`, `mailto:` and malformed links. */
function resolveHttpUrl(href: string | undefined, base: string): string | undefined {
  if (!href || href.trim() === '' || href.trim().startsWith('#')) return undefined;
  try {
    const url = new URL(href.trim(), base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    url.hash = '';
    return url.href;
  } catch {
    return undefined;
  }
}

/** Single-line text of the first match of `selector` inside `scope`, or undefined when empty or absent. */
function selectText(scope: Cheerio<AnyNode>, selector: string): string | undefined {
  return nonEmpty(inlineText(scope.find(selector).first()));
}

/** The time of the first match: its `datetime` or `title` attribute when they parse (forums often print "3 天前" with the full date in `title`), else its text. */
function selectTime(scope: Cheerio<AnyNode>, selector: string): Date | undefined {
  const element = scope.find(selector).first();
  if (element.length === 0) return undefined;
  for (const attribute of ['datetime', 'title']) {
    const value = element.attr(attribute);
    const parsed = value ? parseForumTime(value) : undefined;
    if (parsed) return parsed;
  }
  return parseForumTime(inlineText(element));
}

function inlineText(element: Cheerio<AnyNode>): string {
  return nodesToText(element.toArray()).replace(/\n/g, ' ');
}

function nonEmpty(text: string | undefined): string | undefined {
  const trimmed = text?.trim();
  return trimmed ? trimmed : undefined;
}
