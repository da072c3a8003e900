import type { HtmlSourceConfig, ListEntry } from './crawl.types';
import { parseDiscuzList, parseDiscuzThread } from './parsers/discuz.parser';
import { assertListSelectorsMatch, DetailPage, nextListPageUrl, parseDetailPage, parseListPage } from './parsers/html.parser';

/** A forum read as list pages plus detail pages (kinds html and discuz). Pure functions of the decoded page. */
export interface ListingAdapter {
  /** Entries of one list page and the next page's URL; throws ParseError when the page no longer matches. */
  parseList(html: string, url: string): { entries: ListEntry[]; next?: string };
  parseDetail(html: string, url: string): DetailPage & { replies?: number; views?: number };
}

export function listingAdapter(kind: 'html' | 'discuz', config: Record<string, unknown>): ListingAdapter {
  if (kind === 'discuz') {
    return { parseList: parseDiscuzList, parseDetail: parseDiscuzThread };
  }
  const html = config as unknown as HtmlSourceConfig;
  return {
    parseList(body, url) {
      const entries = parseListPage(body, url, html);
      if (entries.length === 0) assertListSelectorsMatch(body, url, html);
      return { entries, next: nextListPageUrl(body, url, html.list.next) };
    },
    parseDetail: (body, url) => parseDetailPage(body, url, html),
  };
}
