import fc from 'fast-check';
import type { TermHit } from './keyword-rule';
import { clauseForm, compileExpression, evaluateExpression, MatchContext } from './rule-evaluator';
import { expressionTerms, parseRuleExpression, RuleExpr } from './rule-expression';
import { RuleSet } from './rule-set';

/** Every occurrence of a term, overlapping ones too (what the term index reports). */
function occurrences(text: string, term: string): TermHit[] {
  const hits: TermHit[] = [];
  if (!term) return hits;
  for (let at = text.indexOf(term); at !== -1; at = text.indexOf(term, at + 1)) hits.push({ term, start: at, end: at + term.length });
  return hits;
}

/** The straightforward way: every rule evaluated over the occurrences of all its terms found with indexOf. */
function naiveMatch(exprs: RuleExpr[], input: Omit<MatchContext, 'hits'>): { key: number; hits: TermHit[] }[] {
  const out: { key: number; hits: TermHit[] }[] = [];
  exprs.forEach((expr, key) => {
    const hits = new Map<string, TermHit[]>();
    for (const term of expressionTerms(expr)) {
      const found = occurrences(input.text, term);
      if (found.length) hits.set(term, found);
    }
    const m = evaluateExpression(expr, { ...input, hits });
    if (m.matched) out.push({ key, hits: m.hits });
  });
  return out;
}

const charTokens = (text: string) => () => Array.from({ length: text.length }, (_, i) => i);

describe('clauseForm', () => {
  const ids = new Map<string, number>();
  const id = (t: string) => {
    if (!ids.has(t)) ids.set(t, ids.size);
    return ids.get(t)!;
  };
  const form = (source: string) => {
    const clauses = clauseForm(compileExpression(parseRuleExpression(source), id));
    return clauses && clauses.map((c) => `${c.negated ? '!' : ''}${c.ids.map((i) => [...ids.keys()][i]).join('|')}`);
  };

  it.each([
    ['物业', ['物业']],
    ['物业|业委会', ['物业|业委会']],
    ['(物业|业委会) & 乱收费 & !招聘', ['物业|业委会', '乱收费', '!招聘']],
    ['!(招聘|出租)', ['!招聘|出租']],
    ['a & (b & !c) & (d | (e | f))', ['a', 'b', '!c', 'd|e|f']],
    ['物业 & 物业', ['物业', '物业']],
  ])('%s → %j', (source, clauses) => {
    expect(form(source)).toEqual(clauses);
  });

  it.each(['title:物业', 'body:(a|b) & c', 'NEAR(a, b, 3)', 'a & /b+/', 'heat>=3 & a', 'category:x', 'area:y & a', '!!a', '!(a & b)', 'a | (b & c)', '!(a | !b)'])(
    '%s has no clause form',
    (source) => {
      expect(form(source)).toBeNull();
    },
  );
});

describe('RuleSet', () => {
  const words = ['物业', '物业费', '业', '电梯', '坏', '坏了', '噪音', '凌晨', '哈哈', '哈', 'ab', 'b'];
  const word = fc.constantFrom(...words);
  const group = fc.array(word, { minLength: 1, maxLength: 3 }).map((ws) => (ws.length === 1 ? ws[0] : `(${ws.join('|')})`));
  // Clause-form shapes (repeated terms, nested groups, negated groups) and others (scopes, NEAR, regexes, conditions).
  const clauseShaped = fc.oneof(
    fc.tuple(group, word, word).map(([g, c, d]) => `${g} & ${c} & !${d}`),
    fc.tuple(group, group).map(([g, h]) => `${g} & !${h}`),
    fc.tuple(word, group).map(([a, g]) => `${a} & (${a}|${g.replace(/[()]/g, '')})`),
    fc.tuple(group, fc.array(group, { maxLength: 3 })).map(([g, more]) => [g, ...more].join(' & ')),
    group.map((g) => `!${g}`),
  );
  const other = fc.oneof(
    fc.tuple(word, group).map(([a, g]) => `title:${a} | body:${g}`),
    fc.tuple(word, group, fc.integer({ min: 0, max: 4 })).map(([a, g, d]) => `NEAR(${a}, ${g}, ${d})`),
    word.map((a) => `!${a} & heat>=10`),
    word.map((a) => `${a} & /电梯\\d?/`),
    fc.tuple(word, word, word).map(([a, b, c]) => `${a} | (${b} & !${c})`),
  );
  const rules = fc.array(fc.oneof({ arbitrary: clauseShaped, weight: 4 }, { arbitrary: other, weight: 1 }), { minLength: 1, maxLength: 40 });
  const piece = fc.oneof(word, fc.constantFrom('，', '2', 'x'));
  const text = fc.tuple(fc.array(piece, { maxLength: 4 }), fc.array(piece, { maxLength: 14 })).map(([t, b]) => ({ title: t.join(''), body: b.join('') }));

  it('fires the same rules with the same evidence as evaluating every rule over indexOf occurrences', () => {
    fc.assert(
      fc.property(rules, fc.array(text, { minLength: 1, maxLength: 4 }), fc.boolean(), (sources, texts, evidence) => {
        const exprs = sources.map((s) => parseRuleExpression(s));
        const set = new RuleSet(exprs.map((expr, key) => ({ key, expr })));
        // Several texts through one set: the scratch state of one scan must not leak into the next.
        for (const { title, body } of texts) {
          const full = `${title}\n${body}`;
          const input = { text: full, titleLength: title.length, tokenStarts: charTokens(full), heat: 12, evidence };
          const want = naiveMatch(exprs, input).map((m) => ({ key: m.key, hits: evidence ? m.hits : [] }));
          expect(set.match(input)).toEqual(want);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('gives every fired rule an evidence array of its own', () => {
    const set = new RuleSet([
      { key: 0, expr: parseRuleExpression('物业 & 电梯') },
      { key: 1, expr: parseRuleExpression('物业') },
    ]);
    const text = '物业说电梯坏了，物业';
    const input = { text, titleLength: 0, tokenStarts: charTokens(text) };
    const [a, b] = set.match(input);
    expect(a.hits.map((h) => h.start)).toEqual([0, 3, 8]);
    expect(b.hits.map((h) => h.start)).toEqual([0, 8]);
    a.hits.length = 0;
    expect(b.hits).toHaveLength(2);
  });
});
