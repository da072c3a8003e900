import * as cheerio from 'cheerio';
import type { CheerioAPI } from 'cheerio';
import type { ListEntry } from '../crawl.types';
import { parseForumTime } from './forum-time';
import type { DetailPage } from './html.parser';
import { nodesToText, parseCount } from './html.parser';
import { ParseError } from './parse-error';

/**
 * The Discuz! preset: forum boards (Discuz! X `forum.php?mod=forumdisplay&fid=N&page=P` and the rewritten
 * `forum-N-P.html`, Discuz! 7 `forumdisplay.php`) and threads (`forum.php?mod=viewthread&tid=N`, `thread-T-1-1.html`,
 * Discuz! 7 `viewthread.php?tid=N`). Pure: decoded HTML in, entries out (GBK pages are decoded by the fetcher).
 */

export interface DiscuzListPage {
  entries: ListEntry[];
  /** The next page of the board, when the page links one. */
  next?: string;
}

export interface DiscuzThreadPage extends DetailPage {
  externalId?: string;
  replies?: number;
  views?: number;
}

const ROWS = 'tbody[id^="normalthread_"], tbody[id^="stickthread_"]';
const ROW_LINKS = ['a.xst', 'span[id^="thread_"] a', 'th a[href*="viewthread"]', 'th a[href*="thread-"]'];
/** Hidden or decorative parts of a post: attachment pop-ups, "last edited by" lines, hidden labels. */
const NOISE = 'script, style, ignore_js_op, .tip, .aimg_tip, .pstatus, .display_none, .attach_popup, .imgtitle';

/** The thread id in a Discuz! thread URL (any of its forms), or undefined. */
export function discuzThreadId(url: string): string | undefined {
  return /[?&]tid=(\d+)/.exec(url)?.[1] ?? /thread-(\d+)-\d+-\d+\.html/.exec(url)?.[1] ?? /viewthread[_-](\d+)/.exec(url)?.[1];
}

/** Canonical thread URL: `forum.php?mod=viewthread&tid=N` and `viewthread.php?tid=N` lose their page and extra parameters. */
function canonicalThreadUrl(href: string, base: string): string | undefined {
  try {
    const url = new URL(href, base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    url.hash = '';
    const tid = url.searchParams.get('tid');
    if (tid && /viewthread/.test(url.pathname + url.search)) {
      const keep = new URLSearchParams();
      if (url.searchParams.get('mod')) keep.set('mod', 'viewthread');
      keep.set('tid', tid);
      url.search = keep.toString();
    }
    return url.href;
  } catch {
    return undefined;
  }
}

function text($: CheerioAPI, element: ReturnType<CheerioAPI>): string | undefined {
  const value = nodesToText(element.toArray()).replace(/\n/g, ' ').trim();
  return value || undefined;
}

function time($: CheerioAPI, element: ReturnType<CheerioAPI>): Date | undefined {
  if (element.length === 0) return undefined;
  for (const node of [element.find('span[title]').first(), element]) {
    const title = node.attr('title');
    const parsed = title ? parseForumTime(title) : undefined;
    if (parsed) return parsed;
  }
  const raw = text($, element) ?? '';
  const stamp = /(\d{4}-\d{1,2}-\d{1,2}\s+\d{1,2}:\d{2}(?::\d{2})?)/.exec(raw)?.[1] ?? /(\d{4}-\d{1,2}-\d{1,2})/.exec(raw)?.[1];
  return parseForumTime(stamp ?? raw.replace(/^(发表于|时间[:：])\s*/, ''));
}

/**
 * A board page: one entry per thread row (sticky and normal), de-duplicated by thread id. No thread rows at all
 * means this is not a Discuz! board page or its template changed: a `ParseError('selector_not_found')`.
 */
export function parseDiscuzList(html: string, pageUrl: string): DiscuzListPage {
  const $ = cheerio.load(html);
  const rows = $(ROWS);
  if (rows.length === 0) {
    throw new ParseError('selector_not_found', `Discuz! thread rows (${ROWS}) matched nothing on ${pageUrl}: not a board page, or the template changed`);
  }
  const seen = new Set<string>();
  const entries: ListEntry[] = [];
  for (const element of rows.toArray()) {
    const row = $(element);
    const link = ROW_LINKS.map((s) => row.find(s).first()).find((l) => l.length > 0 && l.attr('href'));
    const url = link ? canonicalThreadUrl(link.attr('href')!, pageUrl) : undefined;
    const externalId = /thread_(\d+)$/.exec(row.attr('id') ?? '')?.[1] ?? (url ? discuzThreadId(url) : undefined);
    if (!url || !externalId || seen.has(externalId)) continue;
    seen.add(externalId);
    const by = row.find('td.by, td.author').first();
    const counts = row.find('td.num, td.nums').first();
    entries.push({
      externalId,
      url,
      title: link ? text($, link) : undefined,
      author: text($, by.find('cite a, cite').first()),
      publishedAt: time($, by.find('em').first()),
      replies: parseCount(text($, counts.find('a, strong').first())),
      views: parseCount(text($, counts.find('em').first())),
    });
  }
  if (entries.length === 0) throw new ParseError('selector_not_found', `Discuz! thread rows on ${pageUrl} have no thread links (${ROW_LINKS.join(', ')})`);
  const nextHref = $('.pg a.nxt, .pages a.next, a.nxt').first().attr('href');
  const next = nextHref ? canonicalBoardUrl(nextHref, pageUrl) : undefined;
  return { entries, next: next && next !== pageUrl ? next : undefined };
}

function canonicalBoardUrl(href: string, base: string): string | undefined {
  try {
    const url = new URL(href, base);
    url.hash = '';
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A thread page: the first post (the topic) with its title, author, time and body, plus reply and view counts when
 * the page shows them. No post body means the template changed: a `ParseError('selector_not_found')`.
 */
export function parseDiscuzThread(html: string, url: string): DiscuzThreadPage {
  const $ = cheerio.load(html);
  const message = $('[id^="postmessage_"]').first();
  if (message.length === 0) {
    throw new ParseError('selector_not_found', `Discuz! post body ([id^="postmessage_"]) matched nothing on ${url}: not a thread page, or the template changed`);
  }
  const pid = /postmessage_(\d+)/.exec(message.attr('id') ?? '')?.[1];
  const container = pid ? $(`#pid${pid}, #post_${pid}`).first() : message.closest('table');
  const body = message.clone();
  body.find(NOISE).remove();
  const scope = container.length ? container.clone() : $.root();
  scope.find(NOISE).remove();
  const titleText =
    text($, $('#thread_subject').first()) ??
    text($, $('h1').first()) ??
    text($, $('title').first())?.split(/\s+-\s+/)[0];
  const author = text($, scope.find('.authi a[href*="space"], .postauthor cite a, .authi a').first());
  const posted = time($, scope.find('[id^="authorposton"]').first()) ?? time($, scope.find('.postinfo').first());
  const pageText = nodesToText($('body').toArray()).replace(/\n/g, ' ');
  const count = (selector: string, pattern: RegExp) => parseCount(text($, $(selector).first())) ?? parseCount(pattern.exec(pageText)?.[1]);
  return {
    // From the URL, else from the page itself (a saved page previewed from a file): canonical link, print link, reply form.
    externalId:
      discuzThreadId(url) ??
      discuzThreadId(new URL($('link[rel="canonical"]').attr('href') ?? '', url).href) ??
      /tid=(\d+)/.exec($('a[href*="action=printable"]').attr('href') ?? '')?.[1] ??
      $('input[name="tid"]').attr('value'),
    title: titleText ?? '',
    body: nodesToText(body.toArray()),
    author: author?.replace(/^作者[:：]\s*/, ''),
    publishedAt: posted,
    replies: count('.foldreplies + em', /回复[:：]\s*(\d+)/),
    views: count('.foldviews + em', /(?:查看|阅读)[:：]\s*(\d+)/),
  };
}
