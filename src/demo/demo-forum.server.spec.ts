import { baseUrlOf, DemoForum } from './demo-forum.server';

describe('DemoForum base URL', () => {
  it.each([
    ['127.0.0.1', 'http://127.0.0.1:3100'],
    ['0.0.0.0', 'http://127.0.0.1:3100'],
    ['::', 'http://[::1]:3100'],
    ['::1', 'http://[::1]:3100'],
    ['[::1]', 'http://[::1]:3100'],
    ['forum.local', 'http://forum.local:3100'],
    ['192.168.1.20', 'http://192.168.1.20:3100'],
  ])('a forum listening on %s is reached at %s', (host, url) => {
    expect(baseUrlOf(host, 3100)).toBe(url);
  });

  it('uses the host it listens on, and its pages answer there', async () => {
    // Linux routes all of 127.0.0.0/8 to loopback: a host other than the default one.
    const forum = new DemoForum({ host: '127.0.0.2' });
    const url = await forum.start();
    try {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.2:\d+$/);
      const { url: threadUrl } = forum.publish({ board: 'neighbourhood', title: '测试帖', body: '正文', author: '甲', topic: 'chatter' });
      expect(threadUrl.startsWith(`${url}/thread/`)).toBe(true);
      expect((await fetch(threadUrl)).status).toBe(200);
      expect(await (await fetch(`${url}/board/hotline/rss.xml`)).text()).toContain(`<link>${url}/board/hotline</link>`);
    } finally {
      await forum.stop();
    }
  });
});
