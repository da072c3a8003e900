import { fitIdf, isKeywordCandidate, IdfTable, topKeywords, topKeywordsOfParts } from './keywords';

/** The straightforward form: counts in a Map, idf from the table's record. */
function referenceTop(words: readonly string[], table: IdfTable, top: number): string[] {
  const tf = new Map<string, number>();
  for (const w of words) if (isKeywordCandidate(w)) tf.set(w, (tf.get(w) ?? 0) + 1);
  const scored = [...tf].map(([w, n], i) => ({ w, i, score: (1 + Math.log(n)) * (table.idf[w] ?? table.defaultIdf) }));
  return scored
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, Math.max(0, top))
    .map((x) => x.w);
}

describe('topKeywords with a hashed counter', () => {
  const vocabulary = ['物业', '收费', '小区', '噪音', '凌晨', '停车', '车位', '电梯', '我们', 'ab', 'a1', '，', '的', '拉横幅', '业主委员会', 'x9y'];
  let s = 9;
  const random = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const doc = (n: number) => Array.from({ length: n }, () => vocabulary[Math.floor(random() * vocabulary.length)]);
  const table = fitIdf(Array.from({ length: 40 }, () => doc(6)), 't', 2);

  it('ranks as counting in a Map does, for documents short and long (the counter grows)', () => {
    for (const n of [0, 1, 3, 10, 50, 300, 2000, 5]) {
      for (let k = 0; k < 20; k++) {
        const words = doc(n);
        expect(topKeywords(words, table, 8)).toEqual(referenceTop(words, table, 8));
      }
    }
    expect(topKeywords(['物业'], table, 0)).toEqual([]);
  });

  it('reads several word lists as one', () => {
    for (let k = 0; k < 50; k++) {
      const [a, b] = [doc(20), doc(80)];
      expect(topKeywordsOfParts([a, b], table, 5)).toEqual(topKeywords([...a, ...b], table, 5));
    }
  });
});
