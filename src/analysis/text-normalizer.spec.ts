import { join } from 'node:path';
import { lexiconWords } from './analysis-resources';
import { findPersonalData, maskPersonalData } from './personal-data';
import { segmenter } from './segmenter';
import * as OpenCC from 'opencc-js';
import { mayConvertToSimplified, normalizeText, traditionalToSimplified } from './text-normalizer';

describe('normalizeText', () => {
  it.each([
    ['full-width to half-width', 'ＡＢＣ１２３！', 'abc123!'],
    ['traditional to simplified', '業主委員會亂收費', '业主委员会乱收费'],
    ['HTML remnants and entities', '<p>物业&nbsp;收费</p><br/>&lt;通知&gt;&#x4e00;&#20108;', '物业 收费\n<通知>一二'],
    ['scripts and styles dropped', '<script>var a=1</script>噪音<style>.x{}</style>', '噪音'],
    ['zero-width characters', '物\u200b业\u200d乱\ufeff收费', '物业乱收费'],
    ['repeated punctuation', '太吵了！！！！真的？？？。。。', '太吵了!真的?。'],
    ['whitespace', '  物业   收费 \n\n\n 太贵  ', '物业 收费\n太贵'],
  ])('%s', (_, input, expected) => {
    expect(normalizeText(input)).toBe(expected);
  });
});

describe('traditional to simplified', () => {
  it('only skips the converter on texts it would return unchanged (dictionary keys, pieces of them, common characters)', () => {
    const convert = OpenCC.Converter({ from: 't', to: 'cn' });
    const config = (OpenCC.Locale.configs as unknown as Record<string, { normalizationChain: unknown[][]; conversionChain: unknown[][] }>).t2s;
    const keys = [...config.normalizationChain, ...config.conversionChain].flat().flatMap((d) => (typeof d === 'string' ? d.split('|').map((e) => e.split(' ')[0]) : (d as [string, string][]).map(([k]) => k)));
    let seed = 3;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const common = '的一是不了有人这么坏覆沈反回明想小区物业，。 ';
    let skipped = 0;
    for (let n = 0; n < 5000; n++) {
      let text = '';
      for (let len = 1 + Math.floor(rnd() * 10); len > 0; len--) {
        const r = rnd();
        const key = keys[Math.floor(rnd() * keys.length)];
        text += r < 0.1 ? key : r < 0.25 ? key.slice(0, Math.max(1, key.length - 1)) : r < 0.3 ? key.slice(1) : common[Math.floor(rnd() * common.length)];
      }
      if (!mayConvertToSimplified(text)) {
        skipped++;
        expect(convert(text)).toBe(text);
      }
      expect(traditionalToSimplified(text)).toBe(convert(text));
    }
    expect(skipped).toBeGreaterThan(500);
    expect(mayConvertToSimplified('小区物业什么时候修电梯')).toBe(false);
    expect(mayConvertToSimplified('什麼時候')).toBe(true);
  });
});

describe('personal data', () => {
  it.each([
    ['请联系13812345678或0574-87654321', '请联系[电话]或[电话]'],
    ['电话 +86 138 1234 5678', '电话 [电话]'],
    ['身份证330203199001011234号', '身份证[身份证号]号'],
    ['身份证33020319900101123x', '身份证[身份证号]'],
    ['邮箱 zhang.san@example.com 联系', '邮箱 [邮箱] 联系'],
    ['车牌浙B12345停在消防通道', '车牌[车牌]停在消防通道'],
    ['新能源车浙BD12345', '新能源车[车牌]'],
    ['订单号1381234567890123不是电话', '订单号1381234567890123不是电话'],
    ['2019年共12345户', '2019年共12345户'],
  ])('%s → %s', (input, expected) => {
    expect(maskPersonalData(input)).toBe(expected);
  });

  it('an ID number is not also found as a phone number', () => {
    expect(findPersonalData('330203199001011234').map((h) => h.kind)).toEqual(['id_card']);
  });
});

describe('segmenter user dictionary', () => {
  it('keeps lexicon words whole', () => {
    const words = lexiconWords(join(__dirname, '../../config/lexicons'));
    expect(words).toContain('油烟直排');
    segmenter.addWords(words);
    expect(segmenter.cut('楼下饭店油烟直排')).toContain('油烟直排');
    segmenter.addWords(['魅力之城小区']);
    expect(segmenter.cut('我住在魅力之城小区')).toContain('魅力之城小区');
  });
});
