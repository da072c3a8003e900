/** One post as extracted from a source, before it is stored. Parsers produce these; they are pure data. */
export interface CrawledItem {
  /** Stable id of the post within its source (thread id, guid, …). */
  externalId: string;
  /** Absolute URL of the post. */
  url: string;
  title: string;
  /** Plain text body (markup removed, whitespace collapsed, paragraphs kept as newlines). */
  body: string;
  author?: string;
  publishedAt?: Date;
  replies?: number;
  views?: number;
}

/** An entry on a list page: enough to decide whether the detail page must be fetched. */
export interface ListEntry {
  externalId: string;
  url: string;
  title?: string;
  author?: string;
  publishedAt?: Date;
  replies?: number;
  views?: number;
}

/** CSS selectors describing an HTML list/detail forum. */
export interface HtmlSourceConfig {
  list: {
    /** Selector of one entry on the list page. */
    item: string;
    /** Selector (inside the item) of the link to the detail page; its href is resolved against the page URL. */
    link: string;
    title?: string;
    author?: string;
    time?: string;
    replies?: string;
    views?: string;
    /** Selector of the link to the next list page (incremental paging follows it up to crawl.maxListPages). */
    next?: string;
  };
  detail: {
    title?: string;
    body: string;
    author?: string;
    time?: string;
  };
  /** Regular expression with one capture group, applied to the detail URL to get the external id. Default: the whole URL. */
  idPattern?: string;
}

export interface RssParseResult {
  /** False when the document is a feed with no entries: "try again later", not "no news". */
  hasEntries: boolean;
  items: CrawledItem[];
}
