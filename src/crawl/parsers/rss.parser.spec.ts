import { DemoForum } from '../../demo/demo-forum.server';
import { ParseError } from './parse-error';
import { parseFeed, parseFeedDate } from './rss.parser';

const FEED_URL = 'https://bbs.example.cn/forum/hotline/rss.xml';

const RSS = `<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:atom="http://www.w3.org/2005/Atom" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
  <channel>
    <title>民生热线</title>
    <link>https://bbs.example.cn/forum/hotline</link>
    <atom:link href="https://bbs.example.cn/forum/hotline/rss.xml" rel="self" type="application/rss+xml"/>
    <item>
      <title>  幸福小区  门口的垃圾
        三天没人清运 </title>
      <link>/thread/1001.html</link>
      <guid isPermaLink="false">tid-1001</guid>
      <pubDate>Thu, 26 Nov 2026 14:03:00 +0800</pubDate>
      <dc:creator>老王</dc:creator>
      <slash:comments>12</slash:comments>
      <description>&lt;p&gt;垃圾桶已经满了，&lt;b&gt;臭味&lt;/b&gt;很大。&lt;/p&gt;&lt;p&gt;希望物业&amp;amp;街道尽快处理！&lt;/p&gt;&lt;script&gt;alert(1)&lt;/script&gt;</description>
    </item>
    <item>
      <title><![CDATA[夜间施工噪音扰民 <求助>]]></title>
      <link>https://bbs.example.cn/thread/1002.html</link>
      <author>lee@example.cn (李雷)</author>
      <pubDate>Wed, 25 Nov 2026 22:10:00 GMT</pubDate>
      <description>摘要：晚上十一点还在施工</description>
      <content:encoded><![CDATA[<div>晚上十一点还在施工，<br/>电钻声吵得孩子睡不着。</div><p>已经打过热线电话。</p>]]></content:encoded>
    </item>
    <item>
      <title>没有链接也没有 guid 的帖子</title>
      <description>无法标识，跳过</description>
    </item>
    <item>
      <title>日期写错的帖子</title>
      <guid>https://bbs.example.cn/thread/1003.html</guid>
      <pubDate>昨天晚上</pubDate>
      <description>正文</description>
    </item>
  </channel>
</rss>`;

const ATOM = `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>江东社区动态</title>
  <id>urn:uuid:feed-jiangdong</id>
  <updated>2026-11-26T08:00:00Z</updated>
  <author><name>社区管理员</name></author>
  <entry>
    <title type="html">停车位&lt;em&gt;被占&lt;/em&gt;问题</title>
    <link rel="alternate" href="posts/2001"/>
    <link rel="edit" href="https://bbs.example.cn/edit/2001"/>
    <id>tag:bbs.example.cn,2026:2001</id>
    <published>2026-11-26T09:30:00+08:00</published>
    <updated>2026-11-26T10:00:00+08:00</updated>
    <author><name>张阿姨</name></author>
    <summary>简短摘要</summary>
    <content type="html">&lt;p&gt;地下车库的车位被外来车辆长期占用。&lt;/p&gt;&lt;p&gt;业主停不进去。&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>拆迁补偿标准公示</title>
    <link href="https://bbs.example.cn/posts/2002"/>
    <id>tag:bbs.example.cn,2026:2002</id>
    <updated>2026-11-25T16:00:00Z</updated>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>补偿标准已公示。</p><p>请居民<strong>按时</strong>查看。</p></div></content>
  </entry>
  <entry>
    <title>纯文本摘要</title>
    <id>urn:uuid:2003</id>
    <summary>第一行
      第二行   有空格</summary>
  </entry>
</feed>`;

describe('parseFeed: RSS 2.0', () => {
  const result = parseFeed(RSS, FEED_URL);

  it('reports entries and skips an item with neither guid nor link', () => {
    expect(result.hasEntries).toBe(true);
    expect(result.items.map((item) => item.externalId)).toEqual([
      'tid-1001',
      'https://bbs.example.cn/thread/1002.html',
      'https://bbs.example.cn/thread/1003.html',
    ]);
  });

  it('uses the guid as id, resolves a relative link, strips escaped HTML from the description', () => {
    expect(result.items[0]).toEqual({
      externalId: 'tid-1001',
      url: 'https://bbs.example.cn/thread/1001.html',
      title: '幸福小区 门口的垃圾 三天没人清运',
      body: '垃圾桶已经满了，臭味很大。\n希望物业&街道尽快处理！',
      author: '老王',
      publishedAt: new Date('2026-11-26T06:03:00Z'),
      replies: 12,
    });
  });

  it('prefers content:encoded, keeps line breaks, takes the name from an e-mail author', () => {
    const item = result.items[1];
    expect(item.title).toBe('夜间施工噪音扰民 <求助>');
    expect(item.body).toBe('晚上十一点还在施工，\n电钻声吵得孩子睡不着。\n已经打过热线电话。');
    expect(item.author).toBe('李雷');
    expect(item.publishedAt).toEqual(new Date('2026-11-25T22:10:00Z'));
  });

  it('uses a URL-shaped guid as the URL and leaves an unreadable date undefined', () => {
    expect(result.items[2].url).toBe('https://bbs.example.cn/thread/1003.html');
    expect(result.items[2].publishedAt).toBeUndefined();
  });
});

describe('parseFeed: Atom', () => {
  const result = parseFeed(ATOM, FEED_URL);

  it('reads id, alternate link, html title and content, author and published', () => {
    expect(result.hasEntries).toBe(true);
    expect(result.items[0]).toEqual({
      externalId: 'tag:bbs.example.cn,2026:2001',
      url: 'https://bbs.example.cn/forum/hotline/posts/2001',
      title: '停车位被占问题',
      body: '地下车库的车位被外来车辆长期占用。\n业主停不进去。',
      author: '张阿姨',
      publishedAt: new Date('2026-11-26T01:30:00Z'),
    });
  });

  it('reads xhtml content, inherits the feed author, falls back to updated', () => {
    const item = result.items[1];
    expect(item.url).toBe('https://bbs.example.cn/posts/2002');
    expect(item.body).toBe('补偿标准已公示。\n请居民按时查看。');
    expect(item.author).toBe('社区管理员');
    expect(item.publishedAt).toEqual(new Date('2026-11-25T16:00:00Z'));
  });

  it('keeps a plain-text summary as lines and falls back to the feed URL without a link', () => {
    const item = result.items[2];
    expect(item.externalId).toBe('urn:uuid:2003');
    expect(item.url).toBe(FEED_URL);
    expect(item.body).toBe('第一行\n第二行 有空格');
    expect(item.publishedAt).toBeUndefined();
  });
});

describe('parseFeed: empty and invalid documents', () => {
  it('returns hasEntries false for an empty channel', () => {
    const xml = '<?xml version="1.0"?><rss version="2.0"><channel><title>民生热线</title></channel></rss>';
    expect(parseFeed(xml, FEED_URL)).toEqual({ hasEntries: false, items: [] });
  });

  it('returns hasEntries false for an empty Atom feed', () => {
    const xml = '<feed xmlns="http://www.w3.org/2005/Atom"><title>空</title></feed>';
    expect(parseFeed(xml, FEED_URL)).toEqual({ hasEntries: false, items: [] });
  });

  it('reads RSS 1.0 (RDF) items', () => {
    const xml = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
      xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>旧版</title></channel>
      <item><title>楼道堆物</title><link>https://bbs.example.cn/t/9</link><dc:date>2026-11-26T08:00:00+08:00</dc:date>
      <description>消防通道被占</description></item></rdf:RDF>`;
    const result = parseFeed(xml, FEED_URL);
    expect(result.items).toEqual([
      expect.objectContaining({
        externalId: 'https://bbs.example.cn/t/9',
        title: '楼道堆物',
        publishedAt: new Date('2026-11-26T00:00:00Z'),
      }),
    ]);
  });

  it.each([
    ['an HTML page', '<!DOCTYPE html><html><head><title>江东邻里论坛</title></head><body><p>欢迎</p></body></html>'],
    ['plain text', '服务器维护中，请稍后再试'],
    ['an empty document', ''],
    ['another XML vocabulary', '<?xml version="1.0"?><sitemap><url>https://bbs.example.cn/</url></sitemap>'],
  ])('throws ParseError not_a_feed for %s', (_, xml) => {
    let caught: unknown;
    try {
      parseFeed(xml, FEED_URL);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ParseError);
    expect(caught).toMatchObject({ code: 'not_a_feed' });
  });
});

describe('parseFeedDate', () => {
  it.each<[string | undefined, string | undefined]>([
    ['Thu, 26 Nov 2026 06:03:00 GMT', '2026-11-26T06:03:00.000Z'],
    ['Thu, 26 Nov 2026 14:03:00 +0800', '2026-11-26T06:03:00.000Z'],
    ['26 Nov 2026 14:03 +0800', '2026-11-26T06:03:00.000Z'],
    ['Thu, 26 Nov 26 06:03:00 UT', '2026-11-26T06:03:00.000Z'],
    ['Wed, 25 Nov 2026 20:00:00 EST', '2026-11-26T01:00:00.000Z'],
    ['Thu, 26 Nov 2026 14:03:00 CST', '2026-11-26T06:03:00.000Z'],
    ['Thu, 26 Nov 2026 14:03:00', '2026-11-26T06:03:00.000Z'],
    ['2026-11-26T14:03:00+08:00', '2026-11-26T06:03:00.000Z'],
    ['2026-11-26 14:03:00', '2026-11-26T06:03:00.000Z'],
    ['Thu, 31 Feb 2026 14:03:00 GMT', undefined],
    ['Thu, 26 Foo 2026 14:03:00 GMT', undefined],
    ['not a date', undefined],
    [undefined, undefined],
  ])('%p → %p', (text, iso) => {
    expect(parseFeedDate(text)?.toISOString()).toBe(iso);
  });
});

describe('parseFeed on the DemoForum RSS board', () => {
  const forum = new DemoForum();
  let baseUrl: string;

  beforeAll(async () => {
    baseUrl = await forum.start();
  });
  afterAll(() => forum.stop());

  it('round-trips escaped titles, bodies, guids and dates', async () => {
    const at = new Date('2026-11-26T06:03:00Z');
    const { url } = forum.publish(
      {
        board: 'hotline',
        title: '拖欠工资<急>',
        body: '工地老板拖欠三个月工资 & 不接电话。\n工友们准备去街道反映。',
        author: '小李',
        topic: 'unpaid-wages',
      },
      at,
    );
    const response = await fetch(`${baseUrl}/board/hotline/rss.xml`);
    const result = parseFeed(await response.text(), `${baseUrl}/board/hotline/rss.xml`);
    expect(result).toEqual({
      hasEntries: true,
      items: [
        {
          externalId: url,
          url,
          title: '拖欠工资<急>',
          body: '工地老板拖欠三个月工资 & 不接电话。\n工友们准备去街道反映。',
          author: '小李',
          publishedAt: at,
        },
      ],
    });
  });
});
