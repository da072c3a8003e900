import fc from 'fast-check';
import { DEMO_FORUM_HTML_CONFIG } from '../../demo/demo-forum.server';
import { decodeBody } from './charset';
import { parseDiscuzList, parseDiscuzThread } from './discuz.parser';
import { parseDetailPage, parseListPage } from './html.parser';
import { parseJsonItems } from './json.parser';
import { ParseError } from './parse-error';
import { parseFeed } from './rss.parser';

/** Markup-like text: tags, attributes, entities and Chinese text glued at random (malformed on purpose). */
const markup = fc
  .array(
    fc.oneof(
      fc.constantFrom('<rss>', '<channel>', '<item>', '</item>', '<title>', '</title>', '<link>', '</link>', '<guid>', '<description>', '<![CDATA[', ']]>', '<feed xmlns="http://www.w3.org/2005/Atom">', '<entry>', '<id>'),
      fc.constantFrom('<table class="thread-list">', '<tr class="thread">', '<a class="thread-link" href="/thread/7">', '</a>', '<h1 class="post-title">', '<div class="post-body">', '</div>', '<br>', '<p>', '<script>', '&amp;', '&#x4e2d;', '&nbsp;'),
      fc.constantFrom('<div id="threadlist">', '<tbody id="normalthread_12">', '<a href="thread-12-1-1.html" class="s xst">', '<td class="t_f" id="postmessage_1">', '<meta charset="gbk">'),
      fc.string({ unit: 'grapheme', maxLength: 12 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

const only = (allowed: new (...args: never[]) => Error) => (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (!(error instanceof allowed)) throw error;
  }
};
const onlyParseErrors = only(ParseError);
const RUNS = { numRuns: 400, seed: 1126 };

describe('parsers under fuzzing: no crash, no hang, a ParseError at worst', () => {
  it('RSS and Atom', () => {
    fc.assert(fc.property(markup, (xml) => onlyParseErrors(() => parseFeed(xml, 'http://forum.invalid/rss.xml'))), RUNS);
  });

  it('HTML list and detail pages by selectors', () => {
    fc.assert(
      fc.property(markup, (html) => {
        onlyParseErrors(() => parseListPage(html, 'http://forum.invalid/board/x', DEMO_FORUM_HTML_CONFIG));
        onlyParseErrors(() => parseDetailPage(html, 'http://forum.invalid/thread/7', DEMO_FORUM_HTML_CONFIG));
      }),
      RUNS,
    );
  });

  it('Discuz! pages', () => {
    fc.assert(
      fc.property(markup, (html) => {
        onlyParseErrors(() => parseDiscuzList(html, 'http://bbs.invalid/forum.php?mod=forumdisplay&fid=2'));
        onlyParseErrors(() => parseDiscuzThread(html, 'http://bbs.invalid/thread-12-1-1.html'));
      }),
      RUNS,
    );
  });

  it('JSON APIs, valid or not', () => {
    const config = { listPath: 'data.items', fields: { id: 'id', title: 'title', body: 'body', time: 'time', url: 'url' } };
    const documents = fc.oneof(
      fc.jsonValue().map((v) => JSON.stringify({ data: { items: [v, { id: v, title: v, body: v }] } })),
      fc.jsonValue().map((v) => JSON.stringify(v)),
      fc.string({ maxLength: 80 }),
    );
    fc.assert(fc.property(documents, (text) => onlyParseErrors(() => parseJsonItems(text, 'http://api.invalid/posts', config))), RUNS);
  });

  it('charset decoding of arbitrary bytes and labels never throws', () => {
    const contentType = fc.option(
      fc.oneof(fc.constantFrom('text/html; charset=gbk', 'text/html; charset=utf-8', 'text/html; charset=GB18030', 'text/xml; charset="big5"', 'text/html; charset=x-unknown'), fc.string({ maxLength: 40 })),
      { nil: undefined },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), contentType, (bytes, type) => {
        expect(typeof decodeBody(bytes, type)).toBe('string');
      }),
      { numRuns: 1000, seed: 26 },
    );
  });
});
