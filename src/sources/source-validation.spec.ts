import { AppError } from '../common/app-error';
import { SourceInput, validateSourceInput } from './source-validation';

const html: SourceInput = {
  code: 'forum-a',
  name: '论坛',
  kind: 'html',
  url: 'https://bbs.example.cn/forum-2-1.html',
  intervalSeconds: 300,
  config: { list: { item: 'tbody', link: 'a.xst' }, detail: { body: '.t_f' } },
};
const json: SourceInput = { code: 'api-a', name: '接口', kind: 'json', url: 'https://api.example.cn/posts', config: { listPath: 'data.items', fields: { id: 'id', title: 'title' } } };

function fieldOf(input: unknown, partial = false): string | undefined {
  try {
    validateSourceInput(input as SourceInput, { partial });
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return (error as AppError).details?.field as string;
  }
}

describe('validateSourceInput', () => {
  it.each([
    ['a valid html source', html, undefined],
    ['a valid json source', json, undefined],
    ['a valid discuz source', { code: 'dz', name: 'dz', kind: 'discuz', url: 'https://bbs.example.cn/forum-2-1.html' }, undefined],
    ['a push source without URL', { code: 'hotline', name: '热线', kind: 'push' }, undefined],
    ['a bad code', { ...html, code: 'A B' }, 'code'],
    ['an unknown kind', { ...html, kind: 'ftp' }, 'kind'],
    ['a relative URL', { ...html, url: '/forum' }, 'url'],
    ['a file URL', { ...html, url: 'file:///etc/passwd' }, 'url'],
    ['a short interval', { ...html, intervalSeconds: 5 }, 'intervalSeconds'],
    ['a missing list selector', { ...html, config: { list: { link: 'a' }, detail: { body: '.t_f' } } }, 'config.list.item'],
    ['an invalid selector', { ...html, config: { list: { item: 'tbody[', link: 'a' }, detail: { body: '.t_f' } } }, 'config.list.item'],
    ['a missing detail body', { ...html, config: { list: { item: 'tbody', link: 'a' }, detail: {} } }, 'config.detail.body'],
    ['an invalid next selector', { ...html, config: { list: { item: 'tbody', link: 'a', next: '>>>' }, detail: { body: 'p' } } }, 'config.list.next'],
    ['an id pattern without group', { ...html, config: { ...html.config, idPattern: 'tid=\\d+' } }, 'config.idPattern'],
    ['a broken id pattern', { ...html, config: { ...html.config, idPattern: '(' } }, 'config.idPattern'],
    ['a bad cron', { ...html, cron: 'every minute' }, 'cron'],
    ['a good cron', { ...html, cron: '*/10 7-22 * * *' }, undefined],
    ['too much jitter', { ...html, jitterSeconds: 200 }, 'jitterSeconds'],
    ['bad active hours', { ...html, activeHours: '7-23' }, 'activeHours'],
    ['good active hours', { ...html, activeHours: '22:00-06:30' }, undefined],
    ['json without fields', { ...json, config: { listPath: 'data' } }, 'config.fields'],
    ['json without id path', { ...json, config: { fields: { title: 't' } } }, 'config.fields.id'],
    ['json with a bad path', { ...json, config: { fields: { id: 'id', title: 'a..b' } } }, 'config.fields.title'],
    ['json with an unknown field', { ...json, config: { fields: { id: 'id', title: 't', colour: 'c' } } }, 'config.fields.colour'],
    ['an unknown top-level field', { ...html, schedule: 'daily' }, 'schedule'],
    ['a non-boolean enabled', { ...html, enabled: 'yes' }, 'enabled'],
  ])('%s', (_name, input, field) => {
    expect(fieldOf(input)).toBe(field);
  });

  it('checks only the given fields of an update', () => {
    expect(fieldOf({ intervalSeconds: 600 }, true)).toBeUndefined();
    expect(fieldOf({ url: 'nope' }, true)).toBe('url');
  });
});
