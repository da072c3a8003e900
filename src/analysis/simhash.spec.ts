import { hammingDistance, simhash64, textSimhash } from './simhash';

/** The straightforward form: ±1 per bit per shingle (what textSimhash computes with bit-parallel counters). */
function referenceSimhash(text: string): string {
  const clean = text.replace(/[^\u4e00-\u9fff0-9a-z]/g, '');
  if (clean.length < 3) return simhash64(clean ? [[clean, 1]] : []);
  const acc = new Int32Array(64);
  for (let i = 0; i + 3 <= clean.length; i++) {
    const [a, b, c] = [clean.charCodeAt(i), clean.charCodeAt(i + 1), clean.charCodeAt(i + 2)];
    let hi = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d);
    hi ^= hi >>> 15;
    hi = Math.imul(hi, 0x2c1b3c6d);
    hi ^= hi >>> 12;
    let lo = Math.imul(a, 0x27d4eb2f) ^ Math.imul(b, 0x165667b1) ^ Math.imul(c, 0xd3a2646c);
    lo ^= lo >>> 15;
    lo = Math.imul(lo, 0x297a2d39);
    lo ^= lo >>> 12;
    for (let bit = 0; bit < 32; bit++) {
      acc[bit] += (hi >>> bit) & 1 ? 1 : -1;
      acc[32 + bit] += (lo >>> bit) & 1 ? 1 : -1;
    }
  }
  let hi = 0;
  let lo = 0;
  for (let bit = 0; bit < 32; bit++) {
    if (acc[bit] > 0) hi |= 1 << bit;
    if (acc[32 + bit] > 0) lo |= 1 << bit;
  }
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

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
  it('equals the bit-by-bit form on short, long (counters flushed) and mixed texts', () => {
    const texts = ['', 'a', 'ab', '物业', '物业费', 'a1!', a, `${a}\n`.repeat(40), 'abc123 物业 xyz 乱收费'.repeat(30)];
    let seed = 7;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const alphabet = [...'物业费噪音扰民小区停车ab1 ，。\n'];
    for (let n = 0; n < 200; n++) texts.push(Array.from({ length: Math.floor(random() * 900) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
    for (const t of texts) expect(textSimhash(t)).toBe(referenceSimhash(t));
  });
  it.each([
    ['0000000000000000', 'ffffffffffffffff', 64],
    ['0000000000000001', '0000000000000000', 1],
    ['8000000000000000', '0000000000000000', 1],
  ])('hamming(%s, %s) = %d', (x, y, d) => expect(hammingDistance(x, y)).toBe(d));
});
