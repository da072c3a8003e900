import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeBody } from './charset';
import { discuzThreadId, parseDiscuzList, parseDiscuzThread } from './discuz.parser';
import { ParseError } from './parse-error';

/** Real saved Discuz! pages (read at run time from the shared folder beside the repository; never copied here). */
const EVAL = join(__dirname, '../../../../shared/eval/html');
const page = (name: string) => {
  const path = join(EVAL, name);
  if (!existsSync(path)) throw new Error(`saved page missing: ${path} (the shared folder must sit beside the repository)`);
  return readFileSync(path);
};

describe('Discuz! preset on real saved pages', () => {
  it('reads a Discuz! X board (rewritten forum-2-1.html): every thread row with id, link, author, date and counts', () => {
    const bytes = page('recharge_forumdisplay_forum-2-1_utf8.html');
    const html = decodeBody(bytes, 'text/html');
    const rowIds = [...html.matchAll(/<tbody id="normalthread_(\d+)"/g)].map((m) => m[1]);
    const { entries, next } = parseDiscuzList(html, 'https://bbs.example.cn/forum-2-1.html');
    expect(entries.map((e) => e.externalId)).toEqual(rowIds);
    expect(entries.length).toBeGreaterThanOrEqual(5);
    for (const entry of entries) {
      expect(entry.url).toBe(`https://bbs.example.cn/thread-${entry.externalId}-1-1.html`);
      expect(entry.title && entry.title.length).toBeGreaterThan(1);
      expect(entry.author && entry.author.length).toBeGreaterThan(0);
      expect(entry.publishedAt?.getUTCFullYear()).toBe(2022);
      expect(entry.replies).toEqual(expect.any(Number));
      expect(entry.views).toBeGreaterThan(0);
    }
    // Row 12: "2022-3-3" (Asia/Shanghai), 0 replies, 35 views as the page shows.
    expect(entries[0]).toMatchObject({ externalId: '12', publishedAt: new Date('2022-03-02T16:00:00Z'), replies: 0, views: 35 });
    expect(next).toBeUndefined();
  });

  it('reads a Discuz! X thread: title, first post body without attachment pop-ups, author, time, counts', () => {
    const html = decodeBody(page('recharge_viewthread_12_utf8.html'), 'text/html');
    const thread = parseDiscuzThread(html, 'https://bbs.example.cn/thread-12-1-1.html');
    const subject = /<span id="thread_subject">([^<]+)</.exec(html)?.[1] ?? /<title>\s*([^<]+?)\s+-/.exec(html)?.[1];
    expect(thread.externalId).toBe('12');
    expect(thread.title).toBe(subject?.trim());
    expect(thread.body.length).toBeGreaterThan(10);
    expect(thread.body).not.toMatch(/<|下载附件|KB/);
    expect(thread.author && thread.author.length).toBeGreaterThan(0);
    expect(thread.author).not.toMatch(/作者/);
    expect(thread.publishedAt).toEqual(new Date('2022-03-03T13:55:22Z')); // 21:55:22 in Shanghai
    expect(thread).toMatchObject({ replies: 0, views: 35 });
  });

  it('reads a Discuz! 7 viewthread.php page in GBK', () => {
    const bytes = page('1984bbs_viewthread_DVD_gbk.html');
    const html = decodeBody(bytes, 'text/html');
    expect(html).not.toContain('\uFFFD');
    const thread = parseDiscuzThread(html, 'https://1984bbs.com/viewthread.php?tid=1903');
    expect(thread.externalId).toBe('1903');
    expect(thread.title).toBe(/<h1>([^<]+)<\/h1>/.exec(html)?.[1].trim());
    expect(thread.publishedAt).toEqual(new Date('2008-12-16T09:43:00Z')); // 17:43 in Shanghai
    expect(thread.author).toBe(/id="userinfo\d+"[^>]*>([^<]+)</.exec(html)?.[1]);
    // The first post only: its lines, not the replies below it.
    expect(thread.body.split('\n').length).toBeGreaterThan(5);
    const firstHtml = /id="postmessage_\d+"[^>]*>([\s\S]*?)<\/div>/.exec(html)![1];
    const lines = firstHtml.split(/<br\s*\/?>/).map((l) => l.replace(/<[^>]+>/g, '').trim()).filter(Boolean);
    expect(thread.body.split('\n')).toHaveLength(lines.length);
    expect(html.match(/id="postmessage_/g)!.length).toBeGreaterThan(10); // the replies were there, and left out
    expect(thread.body).not.toMatch(/<br|&nbsp;|&ntilde;/);
  });
});

describe('Discuz! preset on our own pages', () => {
  const board = (rows: string, pager = '') => `<html><body><table>${rows}</table>${pager}</body></html>`;
  const row = (id: number, href: string) =>
    `<tbody id="normalthread_${id}"><tr><th><a href="${href}" class="s xst">帖子${id}</a></th><td class="by"><cite><a>作者${id}</a></cite><em><span title="2026-1-5 08:00">3 天前</span></em></td><td class="num"><a>1,234</a><em>1.2万</em></td></tr></tbody>`;

  it('understands every thread URL form and follows the pager', () => {
    const html = board(
      row(1, 'forum.php?mod=viewthread&tid=1&extra=page%3D1') + row(2, 'thread-2-1-1.html') + row(2, 'thread-2-1-1.html') + `<tbody id="stickthread_3"><tr><th><span id="thread_3"><a href="viewthread.php?tid=3&amp;page=2">置顶</a></span></th></tr></tbody>`,
      '<div class="pg"><a href="forum.php?mod=forumdisplay&fid=2&page=2" class="nxt">下一页</a></div>',
    );
    const { entries, next } = parseDiscuzList(html, 'https://bbs.example.cn/forum.php?mod=forumdisplay&fid=2');
    expect(entries.map((e) => [e.externalId, e.url])).toEqual([
      ['1', 'https://bbs.example.cn/forum.php?mod=viewthread&tid=1'],
      ['2', 'https://bbs.example.cn/thread-2-1-1.html'],
      ['3', 'https://bbs.example.cn/viewthread.php?tid=3'],
    ]);
    expect(entries[0]).toMatchObject({ title: '帖子1', author: '作者1', publishedAt: new Date('2026-01-05T00:00:00Z'), replies: 1234, views: 12000 });
    expect(next).toBe('https://bbs.example.cn/forum.php?mod=forumdisplay&fid=2&page=2');
  });

  it.each([
    ['forum.php?mod=viewthread&tid=42&page=1', '42'],
    ['thread-42-1-1.html', '42'],
    ['viewthread.php?tid=42', '42'],
    ['forum-viewthread_42.html', '42'],
    ['forum-2-1.html', undefined],
  ])('thread id of %s', (url, id) => {
    expect(discuzThreadId(`https://x.cn/${url}`)).toBe(id);
  });

  it('calls a page without thread rows or post bodies broken, not empty', () => {
    expect(() => parseDiscuzList('<html><body><ul><li>改版</li></ul></body></html>', 'https://x.cn/')).toThrow(ParseError);
    expect(() => parseDiscuzThread('<html><body><p>帖子已删除</p></body></html>', 'https://x.cn/thread-1-1-1.html')).toThrow(/postmessage/);
  });
});
