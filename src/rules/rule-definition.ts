import { AggregateCondition, AggregateConditionError, validateAggregateCondition } from './aggregate-rule';
import { KeywordRuleDefinition, KeywordRuleError, validateKeywordRule } from './keyword-rule';
import { parseRuleExpression, RuleExpr, RuleSyntaxError } from './rule-expression';
import { keywordRuleToExpression } from './rule-set';
import type { RuleKind } from './rule.entity';

/** What an expression rule stores: the source text (the parsed form is rebuilt when loaded). */
export interface ExpressionRuleDefinition {
  expression: string;
}

export class RuleDefinitionError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * Validates a definition of the given kind and compiles it to an expression. Throws
 * RuleDefinitionError naming the field (and, for syntax errors, the position and what was expected).
 */
export function compileRuleDefinition(
  kind: RuleKind,
  definition: unknown,
): { definition: (KeywordRuleDefinition | ExpressionRuleDefinition) & { aggregate?: AggregateCondition }; expr: RuleExpr; aggregate?: AggregateCondition } {
  const raw = typeof definition === 'object' && definition !== null ? (definition as Record<string, unknown>) : undefined;
  if (raw?.aggregate !== undefined) {
    let aggregate: AggregateCondition;
    try {
      aggregate = validateAggregateCondition(raw.aggregate);
    } catch (error) {
      if (error instanceof AggregateConditionError) throw new RuleDefinitionError(`definition.aggregate.${error.field}`, `definition.aggregate: ${error.message}`);
      throw error;
    }
    const { aggregate: _, ...rest } = raw;
    const inner = compileRuleDefinition(kind, rest);
    return { definition: { ...inner.definition, aggregate }, expr: inner.expr, aggregate };
  }
  if (kind === 'keyword') {
    try {
      const def = validateKeywordRule(definition);
      return { definition: def, expr: keywordRuleToExpression(def) };
    } catch (error) {
      if (error instanceof KeywordRuleError) throw new RuleDefinitionError(error.field, error.message);
      throw error;
    }
  }
  if (kind === 'expression') {
    const expression = typeof definition === 'object' && definition !== null ? (definition as Record<string, unknown>).expression : undefined;
    if (typeof expression !== 'string' || !expression.trim()) {
      throw new RuleDefinitionError('definition.expression', 'definition.expression must be a non-empty string, e.g. "(物业|业委会) & 乱收费 & !招聘"');
    }
    try {
      return { definition: { expression }, expr: parseRuleExpression(expression) };
    } catch (error) {
      if (error instanceof RuleSyntaxError) {
        throw new RuleDefinitionError('definition.expression', error.message, { position: error.position, expected: error.expected, found: error.found });
      }
      throw error;
    }
  }
  throw new RuleDefinitionError('kind', `kind must be keyword or expression (got ${JSON.stringify(kind)})`);
}
