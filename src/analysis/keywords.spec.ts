import { fitIdf, topKeywords } from './keywords';

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
