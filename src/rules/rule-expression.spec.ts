import { AhoCorasick } from './aho-corasick';
import { matchKeywordRule } from './keyword-rule';
import { evaluateExpression } from './rule-evaluator';
import { parseRuleExpression, RuleSyntaxError, triggerTerms } from './rule-expression';
import { keywordRuleToExpression, RuleSet } from './rule-set';

/** Token starts: one token per character (enough to test NEAR distances). */
const charTokens = (text: string) => () => Array.from({ length: text.length }, (_, i) => i);

function fires(expression: string, title: string, body: string, extra: Record<string, unknown> = {}): boolean {
  const text = `${title}\n${body}`;
  const set = new RuleSet([{ key: 'r', expr: parseRuleExpression(expression) }]);
  return set.match({ text, titleLength: title.length, tokenStarts: charTokens(text), ...extra }).length === 1;
}

describe('rule expressions', () => {
  it.each([
    ['(物业|业委会) & (乱收费|不作为) & !招聘', '', '小区物业乱收费没人管', true],
    ['(物业|业委会) & (乱收费|不作为) & !招聘', '', '业委会不作为', true],
    ['(物业|业委会) & (乱收费|不作为) & !招聘', '', '物业招聘保安，不乱收费', false],
    ['(物业|业委会) & (乱收费|不作为) & !招聘', '', '物业很好', false],
    ['物业 | 噪音 & 半夜', '', '物业', true],
    ['物业 | 噪音 & 半夜', '', '噪音', false],
    ['NOT 招聘 AND 物业', '', '物业', true],
    ['title:噪音 & body:半夜', '噪音扰民', '半夜施工', true],
    ['title:噪音 & body:半夜', '半夜', '噪音', false],
    ['title:(噪音|噪声)', '噪声', '', true],
    ['/1[3-9]\\d{9}/', '', '电话13800001111', true],
    ['body:/凌晨\\d点/', '', '凌晨3点还在施工', true],
    ['body:/凌晨\\d点/', '凌晨3点', '', false],
    ['"乱 收费"', '', '乱 收费', true],
    ['ＷＩＦＩ', '', 'wifi坏了', true],
    ['NEAR(强拆, 小区, 3)', '', '强拆了小区', true],
    ['NEAR(强拆, 小区, 3)', '', '强拆了一栋楼，后来又去了别的小区', false],
    ['NEAR((强拆|拆迁), 小区, 2)', '', '拆迁小区', true],
  ])('%s on %s|%s → %s', (expression, title, body, expected) => {
    expect(fires(expression, title, body)).toBe(expected);
  });

  it.each([
    ['category:物业纠纷', { domain: '城乡建设', disputeType: '物业纠纷' }, true],
    ['category:城乡建设', { domain: '城乡建设', disputeType: null }, true],
    ['category:噪音扰民', { domain: '城乡建设', disputeType: '物业纠纷' }, false],
    ['area:baihe & 物业', { areaPath: ['jiangdong', 'baihe', '3'] }, true],
    ['area:minglou & 物业', { areaPath: ['jiangdong', 'baihe'] }, false],
    ['heat>=40 & 物业', { heat: 40 }, true],
    ['heat>40 & 物业', { heat: 40 }, false],
    ['heat<10', { heat: 3 }, true],
  ])('condition %s with %j → %s', (expression, extra, expected) => {
    expect(fires(expression, '', '物业', extra)).toBe(expected);
  });

  it.each([
    ['', 0, 'a term'],
    ['物业 &', 4, 'a term'],
    ['(物业 | 噪音', 8, '")"'],
    ['物业 噪音', 3, '"&", "|" or the end'],
    ['NEAR(强拆, 小区)', 11, '","'],
    ['NEAR(强拆, 小区, x)', 13, 'a distance'],
    ['NEAR(!强拆, 小区, 3)', 5, 'a term or a group of terms'],
    ['/[/', 0, 'a valid regular expression'],
    ['/abc', 4, 'a closing "/"'],
    ['heat 5', 5, 'a comparison'],
    ['"abc', 4, "a closing '\"'"],
    ['category:', 9, 'a category value'],
  ])('syntax error in %j at %d expecting %s', (expression, position, expected) => {
    let error: unknown;
    try {
      parseRuleExpression(expression);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RuleSyntaxError);
    expect((error as RuleSyntaxError).position).toBe(position);
    expect((error as RuleSyntaxError).expected).toContain(expected);
  });

  it('records the spans of the positive terms as evidence, not the negated ones', () => {
    const text = '\n物业又乱收费了，物业真不像话';
    const set = new RuleSet([{ key: 1, expr: parseRuleExpression('物业 & 乱收费 & !招聘') }]);
    const [m] = set.match({ text, titleLength: 0, tokenStarts: charTokens(text) });
    expect(m.hits).toEqual([
      { term: '物业', start: 1, end: 3 },
      { term: '乱收费', start: 4, end: 7 },
      { term: '物业', start: 9, end: 11 },
    ]);
  });

  it('trigger terms: the smallest required group; none when the rule can fire without terms', () => {
    expect(triggerTerms(parseRuleExpression('(物业|业委会) & 乱收费'))).toEqual(['乱收费']);
    expect(triggerTerms(parseRuleExpression('物业 | /x/'))).toBeNull();
    expect(triggerTerms(parseRuleExpression('!招聘'))).toBeNull();
  });

  it('a keyword rule converted to an expression fires exactly where matchKeywordRule does', () => {
    const def = { all: [['物业', '物业费'], ['乱收费', '涨价']], none: ['招聘'] };
    const set = new RuleSet([{ key: 'k', expr: keywordRuleToExpression(def) }]);
    for (const text of ['物业乱收费', '物业费涨价了', '物业招聘乱收费', '涨价', '物业']) {
      const viaSet = set.match({ text, titleLength: 0, tokenStarts: charTokens(text) });
      const direct = matchKeywordRule(def, text);
      expect(viaSet.length === 1).toBe(direct.matched);
      if (direct.matched) expect(viaSet[0].hits).toEqual(direct.hits);
    }
  });

  it('only evaluates rules whose trigger terms occur (5,000 rules, one relevant)', () => {
    const entries = Array.from({ length: 5000 }, (_, i) => ({ key: i, expr: parseRuleExpression(`词${i}号 & 物业`) }));
    const set = new RuleSet(entries);
    const text = '关于词4321号的物业问题';
    expect(set.match({ text, titleLength: 0, tokenStarts: charTokens(text) }).map((m) => m.key)).toEqual([4321]);
  });
  it('matches the same through the term index as through evaluateExpression over every hit (random rules, scopes, NEAR, evidence on and off)', () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const words = ['物业', '物业费', '业', '电梯', '坏', '坏了', '噪音', '凌晨', '哈哈', '哈'];
    const w = () => words[Math.floor(rnd() * words.length)];
    const shapes = [
      () => `(${w()}|${w()}) & ${w()} & !${w()}`,
      () => `title:${w()} | body:(${w()}|${w()})`,
      () => `NEAR(${w()}, (${w()}|${w()}), ${Math.floor(rnd() * 5)})`,
      () => `!${w()} & heat>=10`,
      () => `${w()} & /电梯\\d?/`,
    ];
    const entries = Array.from({ length: 200 }, (_, i) => ({ key: i, expr: parseRuleExpression(shapes[i % shapes.length]()) }));
    const set = new RuleSet(entries);
    for (let round = 0; round < 40; round++) {
      const title = Array.from({ length: Math.floor(rnd() * 4) }, w).join('');
      const text = `${title}\n${Array.from({ length: Math.floor(rnd() * 12) }, () => (rnd() < 0.7 ? w() : '，')).join('')}`;
      for (const evidence of [true, false]) {
        const input = { text, titleLength: title.length, tokenStarts: charTokens(text), heat: 12, evidence };
        const viaIndex = set.match(input);
        const hits = set.termHits(text);
        const direct = entries.map((e) => ({ key: e.key, m: evaluateExpression(e.expr, { ...input, hits }) })).filter((x) => x.m.matched);
        expect(viaIndex).toEqual(direct.map((x) => ({ key: x.key, hits: x.m.hits })));
        expect(set.match(input, hits)).toEqual(viaIndex);
      }
    }
  });
});

describe('Aho–Corasick', () => {
  it('finds every occurrence of every pattern, overlapping ones too', () => {
    const ac = new AhoCorasick(['he', 'she', 'his', 'hers', '物业', '物业费']);
    const found = ac.search('ushers 物业费').map((h) => `${ac.patterns[h.pattern]}@${h.start}`);
    expect(found.sort()).toEqual(['he@2', 'hers@2', 'she@1', '物业@7', '物业费@7'].sort());
  });

  it('reports a pattern given twice under both numbers, longest first at one end', () => {
    const ac = new AhoCorasick(['业', '物业', '业', '']);
    expect(ac.search('物业').map((h) => `${h.pattern}@${h.start}-${h.end}`)).toEqual(['1@0-2', '0@1-2', '2@1-2']);
    expect(ac.scan('xx')).toBe(0);
  });

  it('agrees with indexOf on random texts', () => {
    const alphabet = 'ab物业c';
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const word = (n: number) => Array.from({ length: n }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
    for (let round = 0; round < 50; round++) {
      const patterns = [...new Set(Array.from({ length: 6 }, () => word(1 + Math.floor(rnd() * 3))))];
      const text = word(40);
      const ac = new AhoCorasick(patterns);
      const got = ac.search(text).map((h) => `${h.pattern}:${h.start}`).sort();
      const want: string[] = [];
      patterns.forEach((p, id) => {
        for (let at = text.indexOf(p); at !== -1; at = text.indexOf(p, at + 1)) want.push(`${id}:${at}`);
      });
      expect(got).toEqual(want.sort());
    }
  });
});
