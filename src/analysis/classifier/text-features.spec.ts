import { featuresFromWords } from './corpus';
import { hashedFeatures, hashFeature, textFeatures } from './text-features';

/** The hashed features of a document as [hash, count] in the order first met (what a Map would hold). */
function hashedCounts(title: string, titleWords: string[], body: string, bodyWords: string[]): [string, number][] {
  const counts = new Map<string, number>();
  hashedFeatures(title, titleWords, body, bodyWords, {
    add: (a, b, count) => {
      const key = `${a}:${b}`;
      counts.set(key, (counts.get(key) ?? 0) + count);
    },
  });
  return [...counts];
}

describe('hashed text features', () => {
  it.each([
    ['物业乱收费', ['物业', '乱', '收费'], '小区物业又涨价了，业主很不满。\n凌晨 施工 abc 噪音a1', ['小区', '物业', '又', '涨价', '了', '，', '业主', '很', '不满', '。', '\n', '凌晨', ' ', '施工', ' ', 'abc', ' ', '噪音', 'a1']],
    ['', [], '没有标题的帖子', ['没有', '标题', '的', '帖子']],
    ['只有标题', ['只有', '标题'], '', []],
    ['', [], '', []],
    [' 空格 ', [' ', '空格', ' '], '1234 !!', ['1234', ' ', '!!']],
  ])('are the features of featuresFromWords, counted and ordered alike: %s', (title, titleWords, body, bodyWords) => {
    const expected = [...featuresFromWords(title, titleWords, body, bodyWords)].map(([f, n]) => [hashFeature(f).join(':'), n]);
    expect(hashedCounts(title, titleWords, body, bodyWords)).toEqual(expected);
  });

  it('hashes differ for different features of one document', () => {
    const features = [...textFeatures('物业乱收费物业', ['物业', '乱', '收费', '物业'])].map(([f]) => f);
    expect(new Set(features.map((f) => hashFeature(f).join(':'))).size).toBe(features.length);
  });
});
