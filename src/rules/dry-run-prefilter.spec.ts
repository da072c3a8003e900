import fc from 'fast-check';
import { normalizeText } from '../analysis/text-normalizer';
import { DryRun } from './dry-run';
import { AreaResolver, classSource, derivePrefilter, deriveSure, ESCAPE, preimages, Prefilter, prefilterAccepts, prefilterSql, regexSureSource, storedHeat, sureAccepts, sureSql, ZERO_WIDTH_CHARS } from './dry-run-prefilter';
import { regexCondition } from './dry-run-regex';
import { normalizeTerm, parseRuleExpression, RuleExpr, Scope } from './rule-expression';

/** Characters terms are made of: simplified Han with traditional twins, Latin, digits, punctuation, a space. */
const TERM_CHARS = ['物', '业', '发', '后', '电', '梯', '坏', '了', '面', '里', 'a', 'k', 'i', 'p', '1', '!', '。', ' ', '-', '年', '号', '楼'];
/** Characters raw texts are made of: the above, their traditional, full-width and upper-case forms, and what the normaliser removes or decodes. */
const TEXT_PIECES = [
  ...TERM_CHARS,
  '業', '發', '髮', '後', '電', '麵', '裏', '裡', '壞', 'A', 'K', 'I', 'P', 'ａ', 'Ａ', 'Ｋ', 'ｋ', 'İ', '\u212A', '１', '！', '！！', '。。', '\u3000', '\n',
  '\u200B', '\u00AD', '\uFEFF', '&#x4E1A;', '&#21457;', '&amp;', '<b>', '</p>', '<br>', '\t', '  ', '\uF9B5', '\uF9E4',
  // Digits and dates for the regexes, in half and full width; an entity that decodes to a digit.
  '2', '0', '２', '０', '２０２４', '2024', '&#50;', '號', '樓', 'S', 's', 'ſ',
  // OpenCC phrases that change a simplified character (一坏 → 一坯), and markup that swallows text.
  '一', '土', '毛', '<i ', '>', '<script>', '</script>',
];

const text = fc.array(fc.constantFrom(...TEXT_PIECES), { maxLength: 14 }).map((a) => a.join(''));
/** Regexes: literals, \\d, classes, groups, alternation, repetition, lookarounds, escapes, letters in both cases. */
const REGEXES = fc.constantFrom(
  '物.', '\\d', '\\d年', '\\d{2}年', '\\d+号楼', '(物业|电梯)坏', '电梯(坏了)?', '[0-9]年', '(?:物业){2}', 'a?p+', 'APP', 'app', 's年', 'k1',
  '物(?=业)', '^物业', '业$', '\\b1', '\\u7269\\u4E1A', '\\x61p', '年|\\d', '(\\d)\\1', '物*', '电.?梯', '[^年]年', '\\.', '(?<y>\\d{4})年', '里{1,3}面',
  // Classes: ranges, letters in both cases (k and s fold with iu), Han with traditional twins, escaped hyphen, \\d inside.
  '[a-z]{2}\\d', '[A-Z]p', '[a-k]1', '[k-s]年', '[物电]业', '[发后]', '[a\\-p]{2}', '[\\d年]{2}', '[0-9a-c]年', '[里面]{2,}',
);
const termText = fc
  .array(fc.constantFrom(...TERM_CHARS), { minLength: 1, maxLength: 4 })
  .map((a) => normalizeTerm(a.join('')))
  .filter((t) => t.length > 0);
const scope = fc.constantFrom<Scope>('any', 'any', 'title', 'body');
const termExpr: fc.Arbitrary<RuleExpr> = fc.record({ type: fc.constant('term' as const), term: termText, scope });

const { expr } = fc.letrec<{ expr: RuleExpr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    termExpr,
    termExpr,
    fc.record({ type: fc.constant('and' as const), items: fc.array(tie('expr'), { minLength: 2, maxLength: 3 }) }),
    fc.record({ type: fc.constant('or' as const), items: fc.array(tie('expr'), { minLength: 2, maxLength: 3 }) }),
    fc.record({ type: fc.constant('not' as const), item: tie('expr') }),
    fc.record({
      type: fc.constant('near' as const),
      left: termExpr,
      right: fc.oneof(termExpr, fc.record({ type: fc.constant('or' as const), items: fc.array(termExpr, { minLength: 2, maxLength: 2 }) })),
      distance: fc.integer({ min: 0, max: 5 }),
    }),
    fc.record({ type: fc.constant('regex' as const), source: REGEXES, flags: fc.constantFrom('', 'i', 'u', 'iu'), scope }),
    fc.record({ type: fc.constant('area' as const), value: fc.constantFrom('1', '2', 'baihe', 'nowhere') }),
    fc.record({ type: fc.constant('category' as const), value: fc.constantFrom('物业纠纷', '噪音扰民') }),
    fc.record({ type: fc.constant('heat' as const), op: fc.constantFrom('>=' as const, '>' as const, '<=' as const, '<' as const, '=' as const), value: fc.constantFrom(0, 40, 40.1, 60) }),
  ),
}));

const post = fc.record({
  title: text,
  body: text,
  areaId: fc.constantFrom(null, 1, 2, 3),
  domain: fc.constantFrom(null, '物业纠纷', '环境卫生'),
  disputeType: fc.constantFrom(null, '噪音扰民', '停车纠纷'),
  heat: fc.constantFrom(0, 39.9, 40, 40.1, 60, 75.3),
});

type RawPost = { title: string; body: string; domain: string | null; disputeType: string | null; heat: number; areaId?: number | null };

/** Areas: 1 (code baihe) above 2 and 3; what the service resolves area conditions with. */
const AREA_PATHS: Record<number, string[]> = { 1: ['1', 'baihe'], 2: ['2', 'sub2', '1', 'baihe'], 3: ['3', 'sub3', '1', 'baihe'] };
const areas: AreaResolver = (value) =>
  Object.entries(AREA_PATHS)
    .filter(([, path]) => path.includes(value))
    .map(([id]) => Number(id));

/** The exact evaluation the dry-run does (normalised text, the expression over it). */
function exactMatch(e: RuleExpr, p: RawPost): boolean {
  const dry = new DryRun(e, 1);
  // The dry-run reads heat from a float4 column: the driver gives the engine the double of its shortest decimal text.
  const areaId = p.areaId ?? null;
  dry.add([{ postId: 1, title: normalizeText(p.title), body: normalizeText(p.body), at: new Date(0), areaId, areaPath: areaId === null ? [] : AREA_PATHS[areaId], domain: p.domain, disputeType: p.disputeType, heat: storedHeat(p.heat) }]);
  return dry.result().matched === 1;
}

describe('dry-run prefilter', () => {
  it('never rejects a post the exact evaluation matches (random expressions and raw texts)', () => {
    let matched = 0;
    let rejected = 0;
    fc.assert(
      fc.property(expr, post, (e, p) => {
        const accepted = prefilterAccepts(derivePrefilter(e, areas), p);
        if (exactMatch(e, p)) {
          matched++;
          expect(accepted).toBe(true);
        } else if (!accepted) rejected++;
      }),
      { numRuns: 5000 },
    );
    // The property is not vacuous: many posts match, and the prefilter does reject many that do not.
    expect(matched).toBeGreaterThan(500);
    expect(rejected).toBeGreaterThan(500);
  });

  it('only calls a post sure when the exact evaluation matches it (random expressions and raw texts)', () => {
    let sure = 0;
    fc.assert(
      fc.property(expr, post, (e, p) => {
        if (sureAccepts(deriveSure(e, areas), p)) {
          sure++;
          expect(exactMatch(e, p)).toBe(true);
        }
      }),
      { numRuns: 5000 },
    );
    expect(sure).toBeGreaterThan(300);
  });

  it('only calls a post sure when the term survives what surrounds it (markup, OpenCC phrases)', () => {
    const around = fc.constantFrom('', '一', '土', '毛', '<i ', '>', '<script>', '</script>', '<b>', '\u200B', '&#', '。', 'a');
    fc.assert(
      fc.property(termExpr, around, around, text, text, (e, prefix, suffix, before, after) => {
        const p = { title: '', body: `${before}${prefix}${(e as { term: string }).term}${suffix}${after}`, domain: null, disputeType: null, heat: 0 };
        if (sureAccepts(deriveSure(e), p)) expect(exactMatch(e, p)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('renders the sufficient condition: literal Han terms without markup, negations of necessary conditions', () => {
    const params: unknown[] = [];
    expect(sureSql(deriveSure(parseRuleExpression('物业 & !招聘')), params)).toBe(
      "(((strpos(p.title, $1) > 0 AND strpos(p.title, '<') = 0) OR (strpos(p.body, $1) > 0 AND strpos(p.body, '<') = 0)) AND (NOT ((strpos(p.title, $2) > 0 OR strpos(p.body, $2) > 0) OR p.text_escape)))",
    );
    expect(params.slice(0, 2)).toEqual(['物业', '招聘']);
    expect(sureSql(deriveSure(parseRuleExpression('NEAR(物业, 电梯, 3)')), [])).toBeNull();
    expect(sureSql(deriveSure(parseRuleExpression('wifi')), [])).toBeNull();
    expect(sureAccepts(deriveSure(parseRuleExpression('物业')), { title: '', body: '<b>物业</b>' })).toBe(false);
  });

  it('never rejects a post that contains a term in any disguise the normaliser undoes', () => {
    fc.assert(
      fc.property(termText, text, text, fc.infiniteStream(fc.nat()), (term, before, after, picks) => {
        const e: RuleExpr = { type: 'term', term, scope: 'any' };
        const disguised = [...term]
          .map((ch) => {
            const options = preimagesOrSelf(ch);
            return options[picks.next().value % options.length];
          })
          .join('');
        const p = { title: '', body: `${before}${disguised}${after}`, domain: null, disputeType: null, heat: 0 };
        if (exactMatch(e, p)) expect(prefilterAccepts(derivePrefilter(e), p)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('derives conditions from terms, regex literals, negations of sure conditions and category, heat, area', () => {
    const kinds = (p: Prefilter): string => (p.kind === 'and' || p.kind === 'or' ? `${p.kind}(${p.items.map(kinds).join(',')})` : p.kind);
    expect(kinds(derivePrefilter(parseRuleExpression('(物业|业委会) & (乱收费|不作为) & !招聘')))).toBe('and(or(text,text),or(text,text),notSure)');
    expect(kinds(derivePrefilter(parseRuleExpression('!招聘')))).toBe('notSure');
    expect(kinds(derivePrefilter(parseRuleExpression('!/./')))).toBe('all');
    expect(kinds(derivePrefilter(parseRuleExpression('/凌晨\\d点/ | 噪音')))).toBe('or(text,and(text,text,pattern))');
    expect(kinds(derivePrefilter(parseRuleExpression('/\\d+号楼/')))).toBe('and(text,pattern)');
    expect(kinds(derivePrefilter(parseRuleExpression('/[0-9]+号楼|^a/')))).toBe('or(pattern,and(text,pattern))');
    expect(kinds(derivePrefilter(parseRuleExpression('/[0-9]+号楼|^/')))).toBe('all');
    expect(kinds(derivePrefilter(parseRuleExpression('category:物业纠纷 & heat>=40')))).toBe('and(category,heat)');
    expect(kinds(derivePrefilter(parseRuleExpression('area:baihe & !category:物业纠纷'), areas))).toBe('and(area,not)');
    expect(kinds(derivePrefilter(parseRuleExpression('area:baihe')))).toBe('all');
    expect(kinds(derivePrefilter(parseRuleExpression('NEAR(强拆, (小区|村), 5)')))).toBe('and(text,or(text,text))');
  });

  it('includes traditional forms, full width and upper case', () => {
    const p = derivePrefilter(parseRuleExpression('后发'));
    expect(p).toMatchObject({ kind: 'text', scope: 'any' });
    expect((p as { variants: string[] }).variants).toEqual(expect.arrayContaining(['后发', '後發', '後髮', '后髮']));
    expect(preimages('k')).toEqual(expect.arrayContaining(['k', 'K', 'ｋ', 'Ｋ', '\u212A']));
    const latin = derivePrefilter(parseRuleExpression('"APP"'));
    expect(prefilterAccepts(latin, { title: '下载ａｐＰ', body: '' })).toBe(true);
    expect(prefilterAccepts(latin, { title: '下载', body: '' })).toBe(false);
  });

  it('renders SQL with parameters and the escape flag (zero-width characters, numeric entities: posts.text_escape)', () => {
    const params: unknown[] = [];
    const sql = prefilterSql(derivePrefilter(parseRuleExpression('title:电梯 & heat>40')), params);
    expect(sql).toBe(
      "(((coalesce(a.heat_score, 0)::text::float8 > $1::float8 AND coalesce(a.heat_score, 0) <> 'NaN'::real) AND (strpos(p.title, $2) > 0 OR strpos(p.title, $3) > 0)) OR p.text_escape)",
    );
    const any: unknown[] = [];
    expect(prefilterSql(derivePrefilter(parseRuleExpression('电梯 | 电梯')), any)).toBe(
      '((strpos(p.title, $1) > 0 OR strpos(p.title, $2) > 0 OR strpos(p.body, $1) > 0 OR strpos(p.body, $2) > 0) OR p.text_escape)',
    );
    expect(params).toEqual([40, '电梯', '電梯']);
    expect(prefilterSql(derivePrefilter(parseRuleExpression('!/招./')), [])).toBeNull();
    const meta: unknown[] = [];
    expect(prefilterSql(derivePrefilter(parseRuleExpression('area:baihe | category:物业纠纷'), areas), meta)).toBe(
      '(coalesce(a.area_id = ANY($1::int[]), false) OR (a.domain IS NOT DISTINCT FROM $2::text OR a.dispute_type IS NOT DISTINCT FROM $2::text))',
    );
    expect(meta).toEqual([[1, 2, 3], '物业纠纷']);
  });

  it('decides category, heat and area conditions exactly, as the evaluator does (random posts, stored heat)', () => {
    const meta = fc.letrec<{ e: RuleExpr }>((tie) => ({
      e: fc.oneof(
        { depthSize: 'small' },
        fc.record({ type: fc.constant('category' as const), value: fc.constantFrom('物业纠纷', '噪音扰民', '环境卫生') }),
        fc.record({ type: fc.constant('area' as const), value: fc.constantFrom('1', '2', 'baihe', 'sub3', 'nowhere') }),
        fc.record({
          type: fc.constant('heat' as const),
          op: fc.constantFrom('>=' as const, '>' as const, '<=' as const, '<' as const, '=' as const),
          value: fc.constantFrom(0, 40, 40.1, 60, 75.3, 99.9),
        }),
        fc.record({ type: fc.constant('not' as const), item: tie('e') }),
        fc.record({ type: fc.constantFrom('and' as const, 'or' as const), items: fc.array(tie('e'), { minLength: 2, maxLength: 3 }) }),
      ),
    })).e;
    const heat = fc.oneof(fc.constantFrom(0, 40, 40.1, 60, 75.3, 99.9), fc.double({ min: 0, max: 100, noNaN: true }));
    fc.assert(
      fc.property(meta, post, heat, (e, p, h) => {
        const q = { ...p, heat: h };
        const exact = exactMatch(e, q);
        expect(prefilterAccepts(derivePrefilter(e, areas), q)).toBe(exact);
        expect(sureAccepts(deriveSure(e, areas), q)).toBe(exact);
      }),
      { numRuns: 3000 },
    );
  });

  it('stored heat: the double of the shortest decimal of the float4', () => {
    expect(storedHeat(60.1)).toBe(60.1);
    expect(storedHeat(Math.fround(60.1))).toBe(60.1);
    expect(storedHeat(0.1 + 0.2)).toBe(0.3);
    expect(storedHeat(16777217)).toBe(16777216);
  });

  it('finds the literal runs of regexes, with \\d, in traditional and full-width disguise', () => {
    expect(regexCondition('\\d{4}年', '')).toEqual({ kind: 'run', sets: [...Array(4).fill([...'0123456789']), ['年']] });
    expect(regexCondition('凌晨(\\d|两)点', '')).toEqual({
      kind: 'and',
      items: [{ kind: 'run', sets: [['凌'], ['晨']] }, { kind: 'or', items: [{ kind: 'run', sets: [[...'0123456789']] }, { kind: 'run', sets: [['两']] }] }, { kind: 'run', sets: [['点']] }],
    });
    expect(regexCondition('a|[^b]', '')).toEqual({ kind: 'all' });
    expect(regexCondition('a|[b]', '')).toEqual({ kind: 'or', items: [{ kind: 'run', sets: [['a']] }, { kind: 'run', sets: [['b']] }] });
    expect(regexCondition('[0-9]年', '')).toEqual(regexCondition('\\d年', ''));
    expect(regexSureSource('[0-9]{3}', '')).toBe('(?:[0-9]){3}');
    expect(regexCondition('(', '')).toEqual({ kind: 'all' });
    const p = derivePrefilter(parseRuleExpression('/\\d{2}号楼/'));
    expect(prefilterAccepts(p, { title: '', body: '住在１２號樓' })).toBe(true);
    expect(prefilterAccepts(p, { title: '', body: '住在12号 楼' })).toBe(false);
    expect(prefilterAccepts(p, { title: '', body: '住在1号楼' })).toBe(false);
    expect(prefilterAccepts(p, { title: '', body: '住在1\u200B2号楼' })).toBe(true);
  });

  it('never rejects a post a regex matches in any disguise the normaliser undoes, and is sure only when it matches', () => {
    const regex = fc.record({ type: fc.constant('regex' as const), source: REGEXES, flags: fc.constantFrom('', 'i', 'u', 'iu'), scope });
    fc.assert(
      fc.property(regex, text, text, fc.infiniteStream(fc.nat()), (e, before, after, picks) => {
        // A string the regex matches, its Han characters, letters and digits disguised.
        const seeds = ['2024年', '12号楼', '物业坏', '电梯坏了', '物业物业', 'app', '里里面', '1年', 's年', 'k1', '物业', 'ab1', 'kp', 'a-p', '电业', '1年2', 'c年'];
        const seed = seeds[picks.next().value % seeds.length];
        const disguised = [...seed].map((ch) => preimagesOrSelf(ch)[picks.next().value % preimagesOrSelf(ch).length]).join('');
        const p = { title: picks.next().value % 2 ? disguised : '', body: `${before}${disguised}${after}`, domain: null, disputeType: null, heat: 0 };
        if (exactMatch(e, p)) expect(prefilterAccepts(derivePrefilter(e), p)).toBe(true);
        if (sureAccepts(deriveSure(e), p)) expect(exactMatch(e, p)).toBe(true);
      }),
      { numRuns: 5000 },
    );
    expect(regexSureSource('\\d{4}年', '')).toBe('(?:[0-9]){4}年');
    expect(regexSureSource('(物业|电梯)故障?', '')).toBe('(?:物业|电梯)故(?:障){0,1}');
    // 坏 is changed by an OpenCC phrase (一坏 → 一坯): never sure.
    expect(regexSureSource('电梯坏', '')).toBeNull();
    expect(regexSureSource('APP', '')).toBeNull();
    expect(regexSureSource('APP', 'i')).toBe('app');
    expect(regexSureSource('\\d*', '')).toBeNull();
    expect(regexSureSource('^物业', '')).toBeNull();
  });

  it('reads small classes as sets of characters: a regex without literals still gets a condition', () => {
    const sets = (source: string, flags = '') => {
      const c = regexCondition(source, flags);
      return c.kind === 'run' ? c.sets.map((set) => [...set].sort().join('')) : c.kind;
    };
    expect(sets('[a-z]{3}[0-9]')).toEqual(['abcdefghijklmnopqrstuvwxyz', 'abcdefghijklmnopqrstuvwxyz', 'abcdefghijklmnopqrstuvwxyz', '0123456789']);
    // Upper case never occurs in the normalised text: dropped, or with i lower-cased.
    expect(sets('[A-Za-c]')).toEqual(['abc']);
    expect(sets('[A-C]', 'i')).toEqual(['abc']);
    expect(sets('[A-C]')).toBe('all');
    expect(sets('[a\\-c]')).toEqual(['-ac']);
    expect(sets('[\\d年]')).toEqual(['0123456789年']);
    // Not understood or too large: atoms.
    for (const source of ['[^a]', '[\\w]', '[\\s年]', '[\\u4e00-\\u9fff]', '[一-龥]', '[]']) expect(sets(source)).toBe('all');
    // With i and u, k and s also match the Kelvin sign and the long s; é folds with É.
    expect(sets('[a-z]', 'iu')).toBe('all');
    expect(sets('[é]', 'i')).toBe('all');
    expect(sets('[é]')).toEqual(['é']);
    const p = derivePrefilter(parseRuleExpression('/[a-z]{3}[0-9]/'));
    // Letters: both cases, full width, the dotted capital I and the Kelvin sign; digits in both widths.
    expect(p).toMatchObject({ kind: 'pattern', source: `${'[A-Za-z\u0130\u212A\uFF21-\uFF3A\uFF41-\uFF5A]'.repeat(3)}[0-9\uFF10-\uFF19]` });
    expect(prefilterAccepts(p, { title: '', body: '型号ＡＢｃ１' })).toBe(true);
    expect(prefilterAccepts(p, { title: '', body: '型号ab 1' })).toBe(false);
    expect(regexSureSource('[a-z]{3}[0-9]', '')).toBe('(?:[a-z]){3}[0-9]');
    expect(regexSureSource('[物电]业', '')).toBe('[物电]业');
    // 坏 is changed by an OpenCC phrase, upper-case letters are never in the normalised text.
    expect(regexSureSource('[坏好]了', '')).toBeNull();
    expect(regexSureSource('[a-c]1', 'i')).toBe('[a-c]1');
  });

  it('renders classes with ranges of consecutive code points', () => {
    expect(classSource([...'0123456789'])).toBe('[0-9]');
    expect(classSource([...'ab'])).toBe('[ab]');
    expect(classSource([...'cab-]^\\'])).toBe('[\\-\\\\\\]\\^a-c]');
    expect(classSource([...'[\\]'])).toBe('[\\[\\\\\\]]');
    expect(classSource(['物', '业', '業'])).toBe('[业業物]');
    const all = [...'abcxyz0189-'];
    const re = new RegExp(classSource(all), 'u');
    for (let cp = 0; cp < 0x3000; cp++) expect(re.test(String.fromCodePoint(cp))).toBe(all.includes(String.fromCodePoint(cp)));
  });

  it('knows every character the normaliser deletes (the scan of every code point guards text-normalizer changes)', () => {
    const deleted: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      if (normalizeText(`物${ch}业`) === '物业' || normalizeText(`a${ch}b`) === 'ab') deleted.push(ch);
    }
    expect(deleted.filter((ch) => !ZERO_WIDTH_CHARS.includes(ch))).toEqual([]);
  });

  it('knows every character that normalises to a Han character, a Latin letter or a digit', () => {
    const missing: string[] = [];
    for (let cp = 0; cp <= 0x10ffff; cp++) {
      if (cp >= 0xd800 && cp <= 0xdfff) continue;
      const ch = String.fromCodePoint(cp);
      for (const out of normalizeText(ch)) {
        if ((/\p{Script=Han}/u.test(out) || /^[a-z0-9]$/.test(out)) && !preimages(out).includes(ch) && !ESCAPE.test(ch)) missing.push(`${ch}→${out}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

function preimagesOrSelf(ch: string): string[] {
  return /\p{Script=Han}|^[a-z0-9]$/u.test(ch) ? preimages(ch) : [ch];
}
