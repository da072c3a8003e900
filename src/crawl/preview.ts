import type { CrawledItem, ListEntry } from './crawl.types';
import { parseJsonItems, JsonSourceConfig } from './parsers/json.parser';
import { ParseError } from './parsers/parse-error';
import { parseFeed } from './parsers/rss.parser';
import { listingAdapter } from './source-kinds';

/** One extracted item as the operator sees it in a preview. */
export interface PreviewItem {
  externalId: string;
  title?: string;
  author?: string;
  time?: string;
  url: string;
  body?: string;
  replies?: number;
  views?: number;
}

export interface PreviewResult {
  /** list: a list page / feed / JSON list; detail: one thread or post page. */
  page: 'list' | 'detail';
  items: PreviewItem[];
  next?: string;
}

export function toPreviewItem(item: CrawledItem | ListEntry): PreviewItem {
  return {
    externalId: item.externalId,
    title: item.title,
    author: item.author,
    time: item.publishedAt?.toISOString(),
    url: item.url,
    body: 'body' in item ? item.body : undefined,
    replies: item.replies,
    views: item.views,
  };
}

/**
 * What a source config extracts from one saved page (pure; the `source:preview` command). For html and discuz the page
 * may be a list page (its entries) or a detail page (its one post); a page that is neither is a ParseError.
 */
export function previewDocument(kind: string, body: string, url: string, config: Record<string, unknown> = {}): PreviewResult {
  switch (kind) {
    case 'rss':
      return { page: 'list', items: parseFeed(body, url).items.map(toPreviewItem) };
    case 'json':
      return { page: 'list', items: parseJsonItems(body, url, config as unknown as JsonSourceConfig).map(toPreviewItem) };
    case 'html':
    case 'discuz': {
      const adapter = listingAdapter(kind, config);
      try {
        const list = adapter.parseList(body, url);
        return { page: 'list', items: list.entries.map(toPreviewItem), next: list.next };
      } catch (listError) {
        if (!(listError instanceof ParseError)) throw listError;
        try {
          const detail = adapter.parseDetail(body, url);
          const externalId = (detail as { externalId?: string }).externalId ?? url;
          return { page: 'detail', items: [toPreviewItem({ ...detail, externalId, url })] };
        } catch (detailError) {
          if (!(detailError instanceof ParseError)) throw detailError;
          throw new ParseError(detailError.code, `neither a list page (${listError.message}) nor a detail page (${detailError.message})`);
        }
      }
    }
    default:
      throw new Error(`kind must be one of rss, html, discuz, json (got ${kind})`);
  }
}
