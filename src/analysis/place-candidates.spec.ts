import { placeCandidates, samePlace } from './place-candidates';

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
