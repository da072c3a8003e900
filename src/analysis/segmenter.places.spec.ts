import { mayHoldPlaceInWords, titleBodyPlaceCandidates } from './place-candidates';
import { segmenter } from './segmenter';

describe('segmenter.mayTagLongPlace', () => {
  it('answers as looking up every three characters does', () => {
    segmenter.addWords(['幸福里苑', '阳光花园'], 'ns');
    const starts = (segmenter as unknown as { longPlaceStarts: Set<string> }).longPlaceStarts;
    const reference = (text: string) => {
      for (let i = 0; i + 3 <= text.length; i++) if (starts.has(text.slice(i, i + 3))) return true;
      return false;
    };
    const sample = [...starts].slice(0, 50).join('');
    let s = 21;
    const random = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const pieces = [...sample, ...'幸福里苑阳光花园的了小区物业'];
    let yes = 0;
    for (let n = 0; n < 2000; n++) {
      const text = Array.from({ length: Math.floor(random() * 12) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      const answer = segmenter.mayTagLongPlace(text);
      if (answer) yes++;
      expect([text, answer]).toEqual([text, reference(text)]);
    }
    expect(yes).toBeGreaterThan(10);
    expect(segmenter.mayTagLongPlace('住在幸福里苑')).toBe(true);
  });
});

describe('mayHoldPlaceInWords', () => {
  it('says no only for titles whose tagged words give no place candidate', () => {
    const pieces = ['幸福', '花园', '小区', '物业', '劳动东路', '魅力之城', 'a3区', '江东区', '北京市', '长沙', '噪音', '投诉', '村口', '新村', '的', '路', '城管', '，', '1号', '广场舞', '湾'];
    let s = 4;
    const random = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
    let no = 0;
    for (let n = 0; n < 600; n++) {
      const title = Array.from({ length: 1 + Math.floor(random() * 5) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      if (!mayHoldPlaceInWords(title, segmenter.cut(title), (t) => segmenter.mayTagLongPlace(t))) {
        no++;
        expect([title, titleBodyPlaceCandidates(segmenter.tag(title), [], () => false)]).toEqual([title, []]);
      }
    }
    expect(no).toBeGreaterThan(50);
  });
});
