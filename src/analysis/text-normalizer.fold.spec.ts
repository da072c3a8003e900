import { foldByPatterns, foldInOnePass, isPlainUnit, normalizeText } from './text-normalizer';

/** A small seeded generator (LCG) for the random texts. */
function randomTexts(alphabet: string[], count: number, maxLength: number, seed: number): string[] {
  let s = seed;
  const random = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  return Array.from({ length: count }, () => Array.from({ length: Math.floor(random() * maxLength) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''));
}

describe('normalizeText in one pass', () => {
  it('treats as plain only units that lower-casing leaves alone and that are not whitespace', () => {
    const wrong: number[] = [];
    let plain = 0;
    for (let unit = 0; unit < 0x10000; unit++) {
      if (!isPlainUnit(unit)) continue;
      plain++;
      const ch = String.fromCharCode(unit);
      if (ch.toLowerCase() !== ch || /\s/.test(ch)) wrong.push(unit);
    }
    expect(wrong).toEqual([]);
    expect(plain).toBeGreaterThan(20000);
  });

  it('gives what the regular expressions give, or leaves the text to them', () => {
    // Punctuation runs (half- and full-width), every kind of whitespace, zero-width characters, upper case,
    // full-width letters, traditional characters and keys of longer conversions, emoji, Roman numerals.
    const alphabet = [
      ...'物业收费小区噪音凌晨施工的一是了abcXYZ09',
      ...'!?,.;:~-=*#。，！？、；：…·—～',
      ...'ＡＢｚ１２！？，',
      ' ', ' ', '\t', '\n', '\n', '\r', '\f', '\v', '\u00a0', '\u3000', '\u2028', '\u202f', '\u1680',
      '\u200b', '\u200d', '\ufeff', '\u00ad', '\u2060',
      ...'業主會亂坏覆沈乾後',
      '😀', 'Ⅻ', 'ⅲ', 'İ', 'Σ', 'ß', '℃', '①', '™', '«', '×',
    ];
    let handled = 0;
    for (const text of randomTexts(alphabet, 4000, 60, 11)) {
      const folded = foldInOnePass(text);
      if (folded !== null) {
        handled++;
        expect([text, folded]).toEqual([text, foldByPatterns(text)]);
      }
      expect(normalizeText(text)).toBe(text ? foldByPatterns(text) : '');
    }
    expect(handled).toBeGreaterThan(20);
    // Texts of plain characters, punctuation and whitespace only are all handled.
    const common = [...'物业收费小区噪音abcXYZ09!?,.。，！？、…—～ＡＢ１２'].concat([' ', '\t', '\n', '\r', '\u00a0', '\u3000', '\u200b']);
    for (const text of randomTexts(common, 2000, 80, 5)) expect([text, foldInOnePass(text)]).toEqual([text, foldByPatterns(text)]);
    // Long texts: the result is built another way past 64 units, and in pieces past 4,096.
    const long = randomTexts(common, 200, 9000, 7);
    expect(long.filter((t) => t.length > 4096).length).toBeGreaterThan(50);
    for (const text of long) expect([text.length, foldInOnePass(text)]).toEqual([text.length, foldByPatterns(text)]);
  });

  it('leaves traditional text to the converter', () => {
    expect(foldInOnePass('業主委員會亂收費')).toBeNull();
    expect(normalizeText('業主委員會亂收費')).toBe('业主委员会乱收费');
    expect(foldInOnePass('小区物业  坏了！！')).toBe('小区物业 坏了!');
  });
});
