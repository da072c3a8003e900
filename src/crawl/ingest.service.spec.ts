import { AppError } from '../common/app-error';
import { MAX_PUSH_ITEMS, parsePushBatch } from './ingest.service';

function fieldOf(body: unknown): string | undefined {
  try {
    parsePushBatch(body, 'https://hotline.example.cn/');
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).details?.field as string;
  }
}

describe('parsePushBatch', () => {
  it('maps items, trims, parses times and defaults the URL to the source URL with the id', () => {
    expect(parsePushBatch({ items: [{ id: 17, title: ' 噪音 ', body: '夜里\n\n施工', time: '2026-01-05 22:10', replies: 2 }] }, 'https://hotline.example.cn/')).toEqual([
      { externalId: '17', url: 'https://hotline.example.cn/#17', title: '噪音', body: '夜里\n施工', author: undefined, publishedAt: new Date('2026-01-05T14:10:00Z'), replies: 2, views: undefined },
    ]);
  });

  it.each([
    ['no body', undefined, 'body'],
    ['no items', {}, 'items'],
    ['an empty batch', { items: [] }, 'items'],
    ['too many items', { items: Array.from({ length: MAX_PUSH_ITEMS + 1 }, (_, i) => ({ id: String(i), title: 't' })) }, 'items'],
    ['an item without id', { items: [{ title: 't' }] }, 'items[0].id'],
    ['a numeric title', { items: [{ id: 'a', title: 't' }, { id: 'b', title: 3 }] }, 'items[1].title'],
    ['nothing to read', { items: [{ id: 'a', title: ' ', body: '' }] }, 'items[0].title'],
    ['an unknown field', { items: [{ id: 'a', title: 't', phone: '138' }] }, 'items[0].phone'],
    ['a bad time', { items: [{ id: 'a', title: 't', time: 'yesterday-ish' }] }, 'items[0].time'],
    ['a javascript URL', { items: [{ id: 'a', title: 't', url: 'javascript:alert(1)' }] }, 'items[0].url'],
    ['negative replies', { items: [{ id: 'a', title: 't', replies: -1 }] }, 'items[0].replies'],
    ['a valid batch', { items: [{ id: 'a', title: 't', url: 'https://x.cn/a', author: '甲', views: 3 }] }, undefined],
  ])('%s', (_name, body, field) => {
    expect(fieldOf(body)).toBe(field);
  });
});
