import { segmenter } from './segmenter';

describe('segmenter.cutPair', () => {
  it.each([
    ['物业乱收费', '小区物业又涨价了，业主很不满。\n凌晨施工噪音'],
    ['', '没有标题的帖子'],
    ['只有标题', ''],
    ['', ''],
    ['a1区苑物业', 'a4区五一大道一酒吧噪音严重 abc'],
    ['标题\n两行', '正文'],
  ])('cuts title and body in one call as two calls would: %s', (title, body) => {
    expect(segmenter.cutPair(title, body)).toEqual([segmenter.cut(title), segmenter.cut(body)]);
  });
});
