import { parseJsonItems, valueAtPath } from './json.parser';

const config = { listPath: 'data.items', fields: { id: 'id', title: 'subject', body: 'content', author: 'user.name', time: 'created', url: 'link', replies: 'stats.replies' } };
const doc = (items: unknown[]) => JSON.stringify({ code: 0, data: { items } });

describe('valueAtPath', () => {
  it.each([
    [{ a: { b: [{ c: 1 }] } }, 'a.b[0].c', 1],
    [{ a: { b: [{ c: 1 }] } }, 'a.b.0.c', 1],
    [{ a: 1 }, 'a.b', undefined],
    [[1, 2], '', [1, 2]],
    [null, 'a', undefined],
  ])('%j at %s', (value, path, expected) => {
    expect(valueAtPath(value, path)).toEqual(expected);
  });
});

describe('parseJsonItems', () => {
  it('maps fields by path, resolves URLs, reads epoch and text times, strips HTML bodies', () => {
    const items = parseJsonItems(
      doc([
        { id: 7, subject: '小区停车位被占', content: '<p>地下车库<br>车位被占</p>', user: { name: '张三' }, created: 1714523400, link: '/t/7', stats: { replies: '12' } },
        { id: '8', subject: '电梯坏了', content: '三号楼电梯\n\n又坏了', created: '2024-05-01 08:30' },
        { subject: '没有编号' },
        { id: 7, subject: '重复' },
      ]),
      'https://api.example.cn/v1/posts?page=1',
      config,
    );
    expect(items).toEqual([
      { externalId: '7', url: 'https://api.example.cn/t/7', title: '小区停车位被占', body: '地下车库\n车位被占', author: '张三', publishedAt: new Date(1714523400 * 1000), replies: 12, views: undefined },
      { externalId: '8', url: 'https://api.example.cn/v1/posts?page=1#8', title: '电梯坏了', body: '三号楼电梯\n又坏了', author: undefined, publishedAt: expect.any(Date), replies: undefined, views: undefined },
    ]);
  });

  it('takes the document itself as the list when listPath is empty', () => {
    expect(parseJsonItems(JSON.stringify([{ k: 'a', t: '标题' }]), 'https://x.cn/', { fields: { id: 'k', title: 't' } })).toHaveLength(1);
  });

  it('reports an empty list as no items, not as broken', () => {
    expect(parseJsonItems(doc([]), 'https://x.cn/', config)).toEqual([]);
  });

  it.each([
    ['a list path that is gone', JSON.stringify({ data: { rows: [] } }), /config\.listPath/],
    ['an id path missing everywhere', doc([{ key: 1, subject: 'a' }]), /config\.fields\.id/],
    ['a title path missing everywhere', doc([{ id: 1, title: 'a' }]), /config\.fields\.title/],
    ['not JSON', '<html>维护中</html>', /not JSON/],
  ])('is broken on %s', (_name, text, message) => {
    expect(() => parseJsonItems(text, 'https://x.cn/', config)).toThrow(message);
  });
});
