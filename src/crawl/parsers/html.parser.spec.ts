import type { HtmlSourceConfig } from '../crawl.types';
import { DEMO_FORUM_HTML_CONFIG, DemoForum } from '../../demo/demo-forum.server';
import { assertListSelectorsMatch, htmlFragmentToText, nextListPageUrl, parseCount, parseDetailPage, parseListPage } from './html.parser';
import { ParseError } from './parse-error';

describe('parseListPage and parseDetailPage on DemoForum pages', () => {
  const forum = new DemoForum({ port: 0 });
  let baseUrl: string;
  let first: { id: number; url: string };
  let second: { id: number; url: string };

  beforeAll(async () => {
    baseUrl = await forum.start();
    first = forum.publish(
      {
        board: 'neighbourhood',
        title: '楼上装修噪音太大',
        body: '楼上从早上七点就开始装修，电钻声不停。\n跟物业反映了两次都没用。',
        author: '三楼住户',
        topic: 'noise',
      },
      new Date('2026-11-26T01:15:00Z'),
    );
    forum.publish(
      { board: 'hotline', title: '另一个版块的帖子', body: '不应出现在邻里家常。', author: '路人', topic: 'chatter' },
      new Date('2026-11-26T02:00:00Z'),
    );
    second = forum.publish(
      {
        board: 'neighbourhood',
        title: '物业费<上涨>&"公示"问题',
        body: '物业费从每平米1.5元涨到2.8元，\n没有开业主大会。\n\n大家怎么看？',
        author: '业主<老陈>',
        topic: 'property-fee',
      },
      new Date('2026-11-26T06:03:05Z'),
    );
  });
  afterAll(() => forum.stop());

  const get = async (url: string) => (await fetch(url)).text();

  it('extracts the list page, newest first, with absolute links, ids, times and counts', async () => {
    const pageUrl = `${baseUrl}/board/neighbourhood`;
    const entries = parseListPage(await get(pageUrl), pageUrl, DEMO_FORUM_HTML_CONFIG);
    expect(entries).toEqual([
      {
        externalId: String(second.id),
        url: second.url,
        title: '物业费<上涨>&"公示"问题',
        author: '业主<老陈>',
        publishedAt: new Date('2026-11-26T06:03:00Z'), // the list shows minutes only
        replies: (second.id * 7) % 23,
        views: 40 + ((second.id * 37) % 500),
      },
      {
        externalId: String(first.id),
        url: first.url,
        title: '楼上装修噪音太大',
        author: '三楼住户',
        publishedAt: new Date('2026-11-26T01:15:00Z'),
        replies: (first.id * 7) % 23,
        views: 40 + ((first.id * 37) % 500),
      },
    ]);
    expect(entries.every((entry) => typeof entry.replies === 'number' && typeof entry.views === 'number')).toBe(true);
  });

  it('extracts the detail page with paragraphs as lines and the time to the second', async () => {
    const page = parseDetailPage(await get(second.url), second.url, DEMO_FORUM_HTML_CONFIG);
    expect(page).toEqual({
      title: '物业费<上涨>&"公示"问题',
      body: '物业费从每平米1.5元涨到2.8元，\n没有开业主大会。\n大家怎么看？',
      author: '业主<老陈>',
      publishedAt: new Date('2026-11-26T06:03:05Z'),
    });
  });

  it('reflects an edit on the detail page', async () => {
    forum.edit(first.id, { body: '装修队已经改到九点以后施工了。' });
    expect(parseDetailPage(await get(first.url), first.url, DEMO_FORUM_HTML_CONFIG).body).toBe(
      '装修队已经改到九点以后施工了。',
    );
  });

  it('pages the list with a 下一页 link', async () => {
    const small = new DemoForum({ pageSize: 1 });
    const url = await small.start();
    try {
      small.publish({ board: 'neighbourhood', title: '旧帖', body: '一', author: '甲', topic: 'chatter' }, new Date(1_000));
      small.publish({ board: 'neighbourhood', title: '新帖', body: '二', author: '乙', topic: 'chatter' }, new Date(2_000));
      const page1 = await get(`${url}/board/neighbourhood`);
      const page2 = await get(`${url}/board/neighbourhood?page=2`);
      expect(parseListPage(page1, url, DEMO_FORUM_HTML_CONFIG).map((e) => e.title)).toEqual(['新帖']);
      expect(parseListPage(page2, url, DEMO_FORUM_HTML_CONFIG).map((e) => e.title)).toEqual(['旧帖']);
      expect(page1).toContain('下一页');
      expect(page2).not.toContain('下一页');
      // The demo source's config follows that link (incremental paging), and stops on the last page.
      expect(nextListPageUrl(page1, `${url}/board/neighbourhood`, DEMO_FORUM_HTML_CONFIG.list.next)).toBe(`${url}/board/neighbourhood?page=2`);
      expect(nextListPageUrl(page2, `${url}/board/neighbourhood?page=2`, DEMO_FORUM_HTML_CONFIG.list.next)).toBeUndefined();
      expect(small.requestLog.map((r) => r.path)).toEqual(['/board/neighbourhood', '/board/neighbourhood?page=2']);
    } finally {
      await small.stop();
    }
  });

  it('throws selector_not_found when the body selector stops matching', async () => {
    const broken: HtmlSourceConfig = { ...DEMO_FORUM_HTML_CONFIG, detail: { body: 'div.message-content' } };
    const html = await get(second.url);
    expect(() => parseDetailPage(html, second.url, broken)).toThrow(ParseError);
    expect(() => parseDetailPage(html, second.url, broken)).toThrow(/div\.message-content/);
    try {
      parseDetailPage(html, second.url, broken);
    } catch (error) {
      expect(error).toMatchObject({ code: 'selector_not_found' });
    }
  });
});

describe('parseListPage on hand-written pages', () => {
  const config: HtmlSourceConfig = {
    list: { item: 'ul.threads > li', link: 'a.t', author: '.by', time: '.at', replies: '.num', views: '.views' },
    detail: { body: '.content' },
    idPattern: 'tid=(\\d+)',
  };
  const pageUrl = 'https://bbs.example.cn/forum/list.php?fid=3&page=1';

  it('survives malformed HTML, removes duplicates, skips unusable links, falls back to the URL as id', () => {
    const html = `<html><body><div id="wrap"><ul class="threads">
      <li><a class="t" href="thread.php?tid=11#lastpost">  停车位   被占 </a><span class="by">王<b>师傅</b></span>
          <em class="at">2026-11-26 14:03</em><span class="num">回复 1,234</span><span class="views">1.2万</span>
      <li><a class="t" href="/forum/thread.php?tid=11">停车位被占（重复链接）</a>
      <li><a class="t" href="javascript:void(0)">广告</a>
      <li><span>没有链接的行</span>
      <li><a class="t" href="../notice/rules.html"><font color=red>版规</font></a><span class="at">昨天 10:00</span>
      <li><a class="t" href="thread.php?tid=12">垃圾分类<span>没人管</span></a><em class="at" title="2026-11-25 09:30">3 天前</em>
          <span class="num">无</span>
    </ul></div></div></div></body>`;
    const entries = parseListPage(html, pageUrl, config);
    expect(entries.map(({ externalId, url, title }) => ({ externalId, url, title }))).toEqual([
      { externalId: '11', url: 'https://bbs.example.cn/forum/thread.php?tid=11', title: '停车位 被占' },
      { externalId: 'https://bbs.example.cn/notice/rules.html', url: 'https://bbs.example.cn/notice/rules.html', title: '版规' },
      { externalId: '12', url: 'https://bbs.example.cn/forum/thread.php?tid=12', title: '垃圾分类没人管' },
    ]);
    expect(entries[0]).toMatchObject({
      author: '王师傅',
      publishedAt: new Date('2026-11-26T06:03:00Z'),
      replies: 1234,
      views: 12000,
    });
    expect(entries[2].publishedAt).toEqual(new Date('2026-11-25T01:30:00Z')); // from the title attribute
    expect(entries[2].replies).toBeUndefined();
  });

  it('returns no entries for a page where the item selector matches nothing', () => {
    expect(parseListPage('<html><body><p>暂无帖子</p></body></html>', pageUrl, config)).toEqual([]);
    expect(parseListPage('', pageUrl, config)).toEqual([]);
  });
});

describe('parseDetailPage on hand-written pages', () => {
  const config: HtmlSourceConfig = {
    list: { item: 'li', link: 'a' },
    detail: { title: 'h1', body: '.content', author: '.by', time: '.at' },
  };

  it('turns <br> and blocks into lines, drops scripts and styles, collapses whitespace', () => {
    const html = `<html><head><title>标题备用 - 论坛</title><style>.content{color:red}</style></head><body>
      <h1>  小区  门口  违建 </h1><span class="by">热心 居民</span><span class="at">发表于 2026/11/26 08:05</span>
      <div class="content">
        &nbsp;&nbsp;　　一楼住户在院子里
        搭了彩钢棚，<br>占用了消防通道。<br/><br/>
        <script>var ad = "广告";</script><style>p { margin: 0 }</style>
        <p>已经向社区反映。<p>社区说会来看看
        <ul><li>第一条</li><li>第二条</li></ul>
        <table><tr><td>时间</td><td>地点</td></tr><tr><td>周一</td><td>三号楼</td></tr></table>
        <!-- 注释不应出现 -->
      </div>
      <div class="content">第二个匹配（回复楼层）不算正文</div>
    </body></html>`;
    expect(parseDetailPage(html, 'https://bbs.example.cn/t/1', config)).toEqual({
      title: '小区 门口 违建',
      body: '一楼住户在院子里 搭了彩钢棚，\n占用了消防通道。\n已经向社区反映。\n社区说会来看看\n第一条\n第二条\n时间 地点\n周一 三号楼',
      author: '热心 居民',
      publishedAt: new Date('2026-11-26T00:05:00Z'),
    });
  });

  it('falls back to <title> and leaves missing author and time undefined', () => {
    const html = '<title>求助：水管漏水</title><div class="content">楼上漏水到我家</div>';
    expect(parseDetailPage(html, 'https://bbs.example.cn/t/2', config)).toEqual({
      title: '求助：水管漏水',
      body: '楼上漏水到我家',
    });
  });

  it('accepts an empty body element (an image-only post) but not a missing one', () => {
    expect(parseDetailPage('<h1>图</h1><div class="content"><img src="a.jpg"></div>', 'https://x.cn/t/3', config).body).toBe('');
    expect(() => parseDetailPage('<h1>图</h1><div class="post">正文</div>', 'https://x.cn/t/3', config)).toThrow(
      expect.objectContaining({ code: 'selector_not_found', message: expect.stringContaining('.content') }),
    );
  });
});

describe('text helpers', () => {
  it.each([
    ['<p>一</p><p>二</p>', '一\n二'],
    ['甲<br>乙<br/>丙', '甲\n乙\n丙'],
    ['  多个   空格\n换行  ', '多个 空格 换行'],
    ['&lt;不是标签&gt; &amp; 符号', '<不是标签> & 符号'],
    ['<div><div>嵌套</div></div><span>行内</span><b>粗体</b>', '嵌套\n行内粗体'],
    ['<p>未闭合<p>段落', '未闭合\n段落'],
    ['<script>alert("x")</script>正文', '正文'],
    ['', ''],
  ])('htmlFragmentToText(%p) = %p', (html, text) => {
    expect(htmlFragmentToText(html)).toBe(text);
  });

  it.each<[string | undefined, number | undefined]>([
    ['回复 12', 12],
    ['12', 12],
    ['回复：0', 0],
    ['1,234 次查看', 1234],
    ['3.5万', 35000],
    ['3/45', 3],
    ['无', undefined],
    ['', undefined],
    [undefined, undefined],
  ])('parseCount(%p) = %p', (text, count) => {
    expect(parseCount(text)).toBe(count);
  });
});

describe('list page selectors that stop matching', () => {
  const config: HtmlSourceConfig = { list: { item: 'li.topic', link: 'a.title' }, detail: { body: '.content' } };

  it.each([
    ['no item matches', '<ul><li class="post"><a class="title" href="/t/1">x</a></li></ul>', /list item selector "li.topic" \(config.list.item\) matched nothing/],
    ['items without links', '<ul><li class="topic"><a class="name" href="/t/1">x</a></li></ul>', /list link selector "a.title" \(config.list.link\) found no link in 1 items/],
  ])('%s is a ParseError naming the selector', (_name, html, message) => {
    expect(parseListPage(html, 'https://x.cn/list', config)).toEqual([]);
    expect(() => assertListSelectorsMatch(html, 'https://x.cn/list', config)).toThrow(ParseError);
    expect(() => assertListSelectorsMatch(html, 'https://x.cn/list', config)).toThrow(message);
  });

  it.each([
    ['<a class="next" href="?page=2">下一页</a>', 'a.next', 'https://x.cn/list?page=2'],
    ['<a class="next" href="#">下一页</a>', 'a.next', undefined],
    ['<a class="next" href="list">下一页</a>', 'a.next', undefined],
    ['<span></span>', 'a.next', undefined],
    ['<a class="next" href="?page=2">下一页</a>', undefined, undefined],
  ])('next page of %s by %s', (html, selector, expected) => {
    expect(nextListPageUrl(html, 'https://x.cn/list', selector)).toBe(expected);
  });
});
