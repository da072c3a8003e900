import { mayHoldPlace, placeCandidates, samePlace, titleBodyPlaceCandidates } from './place-candidates';
import { segmenter } from './segmenter';

const t = (spec: string) => spec.split(' ').map((p) => { const [word, tag] = p.split('/'); return { word, tag: tag ?? 'n' }; });

describe('place candidates', () => {
  it.each([
    ['我 住 在/p 幸福/a 花园/n', ['幸福花园']],
    ['金星路/ns 上 有/v 摊贩', ['金星路']],
    ['a3 区 联丰路/ns', ['联丰路']],
    ['劳动/n 东路/n 魅力/n 之城/n 小区/n 油烟', ['劳动东路', '魅力之城']],
    ['我们 小区/n 临街/n', []],
    ['市政府/nt 门口', []],
  ])('%s → %j', (tokens, expected) => {
    expect(placeCandidates(t(tokens), () => false).sort()).toEqual([...expected].sort());
  });

  it('leaves out places the gazetteer knows', () => {
    expect(placeCandidates(t('幸福/a 花园/n'), (name) => name === '幸福花园')).toEqual([]);
  });

  it.each([
    ['魅力之城小区', '魅力之城', true],
    ['万科魅力之城', '魅力之城小区', true],
    ['魅力之城', '阳光之城', false],
    ['东路', '劳动东路', false],
  ])('samePlace(%s, %s) → %s', (a, b, expected) => {
    expect(samePlace(a, b)).toBe(expected);
  });
});

describe('title and body place candidates', () => {
  it.each([
    ['劳动/n 东路/n 魅力/n 之城/n 小区/n', ['隔壁', '阳光', '水岸', '小区', '旁边', '金星路']],
    ['', ['幸福', '花园']],
    ['金星路/ns 上', []],
    ['桐梓/ns 坡', ['坡', '花园', '对面']],
  ])('%s + %j: as placeCandidates over title, a break and body words tagged x', (title, body) => {
    const tagged = title ? t(title) : [];
    const whole = [...tagged, { word: '\n', tag: 'w' }, ...body.map((word) => ({ word, tag: 'x' }))];
    expect(titleBodyPlaceCandidates(tagged, body, () => false)).toEqual(placeCandidates(whole, () => false));
  });
});

describe('mayHoldPlace', () => {
  const may = (text: string) => mayHoldPlace(text, (x) => segmenter.mayTagLongPlace(x));

  it('says yes for a place suffix or a long ns word, no otherwise', () => {
    expect(may('幸福花园物业乱收费')).toBe(true);
    expect(may('投诉小区噪音')).toBe(true);
    expect(may('物业乱收费')).toBe(false);
    expect(may('')).toBe(false);
  });

  it.each(['物业乱收费', '深夜施工噪音扰民', '欠薪三个月没人管', '关于乌鲁木齐的投诉', '张家界景区乱收费', '桐梓坡地铁站交叉口'])(
    'candidates in the tagged text → yes: %s',
    (text) => {
      expect(may(text) || placeCandidates(segmenter.tag(text), () => false).length === 0).toBe(true);
    },
  );

  it('knows long ns words of the dictionary and words added with the ns tag', () => {
    expect(segmenter.mayTagLongPlace('去乌鲁木齐')).toBe(true);
    expect(segmenter.mayTagLongPlace('去甲乙丙丁镇')).toBe(false);
    segmenter.addWords(['甲乙丙丁'], 'ns');
    expect(segmenter.mayTagLongPlace('去甲乙丙丁镇')).toBe(true);
  });
});
