import fc from 'fast-check';
import { parseRuleExpression, RuleSyntaxError } from './rule-expression';

/** Pieces operators type, glued at random: the parser must answer or give a positioned syntax error. */
const piece = fc.oneof(
  fc.constantFrom('物业', '乱收费', '业委会', '强拆', '小区', '噪音', '招聘', 'abc', '12'),
  fc.constantFrom('&', '|', '!', '(', ')', ' ', ',', 'AND', 'OR', 'NOT', 'NEAR(', 'title:', 'body:', 'category:', 'area:', 'heat>=', '/', '"', '\\', '=', '<', '>'),
  fc.string({ maxLength: 4 }),
);
const expression = fc.array(piece, { maxLength: 30 }).map((parts) => parts.join(''));

describe('rule language parser under fuzzing', () => {
  it('never crashes or hangs: a parse tree or a RuleSyntaxError inside the text', () => {
    fc.assert(
      fc.property(expression, (source) => {
        try {
          parseRuleExpression(source);
        } catch (error) {
          if (!(error instanceof RuleSyntaxError)) throw error;
          expect(error.position).toBeGreaterThanOrEqual(0);
          expect(error.position).toBeLessThanOrEqual(source.length);
          expect(error.expected.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 3000, seed: 20261126 },
    );
  });

  it('parses arbitrary unicode input within the same bounds', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (source) => {
        try {
          parseRuleExpression(source);
        } catch (error) {
          if (!(error instanceof RuleSyntaxError)) throw error;
        }
      }),
      { numRuns: 2000, seed: 7 },
    );
  });
});
