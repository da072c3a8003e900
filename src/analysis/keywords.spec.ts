import { fitIdf, isKeywordCandidate, topKeywords } from './keywords';

describe('TF-IDF keywords with a corpus IDF', () => {
  const corpus = [
    ['物业', '收费', '小区'],
    ['噪音', '小区', '凌晨'],
    ['停车', '小区', '车位'],
    ['物业', '电梯', '小区'],
  ];
  const table = fitIdf(corpus, 't', 1);

  it('weights words the corpus has seldom above ones it has everywhere', () => {
    expect(table.idf['小区']).toBeLessThan(table.idf['噪音']);
    expect(topKeywords(['小区', '小区', '噪音', '凌晨'], table, 2)).toEqual(['噪音', '凌晨']);
  });

  it('drops stopwords, punctuation, digits and single characters', () => {
    expect(topKeywords(['我们', '，', '2019', '的', '物业'], table, 5)).toEqual(['物业']);
  });

  it('gives unseen words the highest idf', () => {
    expect(topKeywords(['小区', '拉横幅'], table, 1)).toEqual(['拉横幅']);
  });
});

describe('keyword selection', () => {
  it.each([
    ['物业', true],
    ['a1', false],
    ['ab', true],
    ['a1b', true],
    ['1a', false],
    ['物业2', true],
    ['物', false],
    ['我们', false],
    ['物业!', false],
    ['Ab', false],
  ])('%s is a candidate: %s', (word, expected) => {
    expect(isKeywordCandidate(word)).toBe(expected);
  });

  it('keeps the best by score, earlier words first among equals (as a full sort would)', () => {
    const words = '物业 收费 小区 噪音 凌晨 停车 车位 电梯 物业 收费 拉横幅 投诉 维权 物业 小区 a1 噪音'.split(' ');
    const table = fitIdf([words.slice(0, 5), words.slice(3, 9), words.slice(6, 12), ['小区', '物业']], 't', 1);
    for (let top = 0; top <= 12; top++) {
      const tf = new Map<string, number>();
      for (const w of words) if (isKeywordCandidate(w)) tf.set(w, (tf.get(w) ?? 0) + 1);
      const sorted = [...tf.entries()]
        .map(([w, n], order) => ({ w, score: (1 + Math.log(n)) * (table.idf[w] ?? table.defaultIdf), order }))
        .sort((a, b) => b.score - a.score || a.order - b.order)
        .slice(0, top)
        .map((x) => x.w);
      expect(topKeywords(words, table, top)).toEqual(sorted);
    }
  });

  it('looks up the idf of many distinct words at once, known and unknown (as the table says)', () => {
    // 1,500 distinct two-character words, a third of them in the table with idf by position.
    const words = Array.from({ length: 1500 }, (_, i) => String.fromCharCode(0x4e00 + (i % 100)) + String.fromCharCode(0x5e00 + Math.floor(i / 100)));
    const idf: Record<string, number> = {};
    words.forEach((w, i) => {
      if (i % 3 === 0) idf[w] = 1 + (i % 97) / 10;
    });
    const table = { kind: 'idf' as const, version: 't', documents: 10, idf, defaultIdf: 5.05 };
    const doc = [...words, ...words.slice(0, 40)];
    const expected = words
      .map((w, order) => ({ w, score: (1 + Math.log(order < 40 ? 2 : 1)) * (idf[w] ?? table.defaultIdf), order }))
      .sort((a, b) => b.score - a.score || a.order - b.order)
      .slice(0, 20)
      .map((x) => x.w);
    expect(topKeywords(doc, table, 20)).toEqual(expected);
  });
});
