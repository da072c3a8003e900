import { hammingDistance, textSimhash } from './simhash';

describe('simhash', () => {
  const a = '惊驾路泰和花园的物业又涨物业费了，业主们都很不满，已经向社区反映过好几次，物业一直不给说法。';
  it('is 16 hex digits and deterministic', () => {
    expect(textSimhash(a)).toMatch(/^[0-9a-f]{16}$/);
    expect(textSimhash(a)).toBe(textSimhash(a));
  });
  it('near-duplicates are a few bits apart, unrelated texts far apart', () => {
    const near = `转发：${a}大家看看！`;
    const other = '镇安新村门口的菜场凌晨就开始卸货，噪音太大，老人小孩都睡不好，希望有关部门管一管。';
    expect(hammingDistance(textSimhash(a), textSimhash(near))).toBeLessThanOrEqual(10);
    expect(hammingDistance(textSimhash(a), textSimhash(other))).toBeGreaterThan(16);
  });
  it.each([
    ['0000000000000000', 'ffffffffffffffff', 64],
    ['0000000000000001', '0000000000000000', 1],
    ['8000000000000000', '0000000000000000', 1],
  ])('hamming(%s, %s) = %d', (x, y, d) => expect(hammingDistance(x, y)).toBe(d));
});
