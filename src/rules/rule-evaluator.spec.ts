import fc from 'fast-check';
import { findTerm } from './keyword-rule';
import { evaluateExpression, MatchContext } from './rule-evaluator';
import { RuleExpr } from './rule-expression';

describe('rule evaluator without evidence', () => {
  it('gives the same answer as with evidence (NEAR takes a shortcut without segmenting)', () => {
    const terms = ['物业', '电梯', '坏', '业'];
    const term = fc.constantFrom(...terms).map((t): RuleExpr => ({ type: 'term', term: t, scope: 'any' }));
    const near = fc.record({ type: fc.constant('near' as const), left: term, right: term, distance: fc.integer({ min: 0, max: 6 }) });
    const expr: fc.Arbitrary<RuleExpr> = fc.oneof(near, fc.record({ type: fc.constant('not' as const), item: near }), fc.record({ type: fc.constant('or' as const), items: fc.array(near, { minLength: 2, maxLength: 3 }) }));
    const text = fc.array(fc.constantFrom('物', '业', '电', '梯', '坏', '了', '，', 'x'), { maxLength: 30 }).map((a) => a.join(''));
    // Any tokenisation into pieces of at least one character: strictly ascending starts from 0.
    const tokens = (len: number) => fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, len - 1) }), { maxLength: len }).map((cuts) => [0, ...cuts.filter((c) => c < len).sort((a, b) => a - b)]);
    fc.assert(
      fc.property(expr, text.chain((t) => fc.tuple(fc.constant(t), tokens(t.length))), (e, [t, starts]) => {
        const hits = new Map(terms.map((term) => [term, findTerm(t, term)]));
        const ctx: MatchContext = { text: t, titleLength: 0, hits, tokenStarts: () => starts };
        expect(evaluateExpression(e, { ...ctx, evidence: false }).matched).toBe(evaluateExpression(e, ctx).matched);
      }),
      { numRuns: 3000 },
    );
  });
});
