import { Gazetteer } from './gazetteer';

const gazetteer = new Gazetteer([
  { alias: '划船', areaId: 1 },
  { alias: '划船新村', areaId: 2 },
  { alias: '丹凤小区', areaId: 3 },
  { alias: '惊驾路', areaId: 3 },
  { alias: '江东', areaId: 9 },
]);
const depth = (id: number) => (id === 9 ? 0 : 2);

describe('Gazetteer', () => {
  it('prefers the longest alias and does not report the shorter one inside it', () => {
    expect(gazetteer.find('我住划船新村三幢').map((h) => [h.alias, h.areaId, h.start])).toEqual([['划船新村', 2, 2]]);
  });

  it('finds every non-overlapping mention', () => {
    expect(gazetteer.find('丹凤小区门口的惊驾路又堵了，划船那边也是').map((h) => h.alias)).toEqual(['丹凤小区', '惊驾路', '划船']);
  });

  it('places a post where it is named most, counting title mentions double', () => {
    const located = gazetteer.locate('丹凤小区物业乱收费', '隔壁划船新村也有人说过', depth, null);
    expect(located).toMatchObject({ areaId: 3, alias: '丹凤小区' });
    expect(located!.confidence).toBeGreaterThan(0.8);
  });

  it('breaks ties towards the deeper area', () => {
    expect(gazetteer.locate('', '江东这边，丹凤小区', depth, null)).toMatchObject({ areaId: 3 });
  });

  it('falls back to the default area with low confidence, or to nothing', () => {
    expect(gazetteer.locate('今天天气不错', '出去走走', depth, 9)).toEqual({ areaId: 9, alias: null, confidence: 0.3, hits: [] });
    expect(gazetteer.locate('今天天气不错', '出去走走', depth, null)).toBeNull();
  });
});
