/**
 * The warning-rule language: boolean expressions over terms, synonym groups, token proximity, regular
 * expressions, title/body scopes and conditions on category, area and heat.
 *
 *   (物业|业委会) & (乱收费|不作为) & !招聘
 *   NEAR(强拆, 小区, 10)            both within 10 tokens of each other
 *   title:(噪音|噪声) & body:/凌晨\d点/
 *   category:物业纠纷 & area:baihe & heat>=40
 *
 * Precedence: `!` (also NOT) binds tighter than `&` (AND), which binds tighter than `|` (OR).
 * Terms are bare words (no spaces or operator characters) or "quoted strings"; they are matched on
 * normalised text (simplified, half-width, lower case), so they are normalised the same way here.
 */

export type Scope = 'title' | 'body' | 'any';

export type RuleExpr =
  | { type: 'term'; term: string; scope: Scope }
  | { type: 'regex'; source: string; flags: string; scope: Scope }
  | { type: 'near'; left: RuleExpr; right: RuleExpr; distance: number }
  | { type: 'and'; items: RuleExpr[] }
  | { type: 'or'; items: RuleExpr[] }
  | { type: 'not'; item: RuleExpr }
  | { type: 'category'; value: string }
  | { type: 'area'; value: string }
  | { type: 'heat'; op: '>=' | '>' | '<=' | '<' | '='; value: number };

export class RuleSyntaxError extends Error {
  constructor(
    readonly position: number,
    readonly expected: string,
    readonly found: string,
  ) {
    super(`syntax error at position ${position}: expected ${expected}, found ${found}`);
  }
}

const WORD_STOP = /[\s()&|!,:"/<>=]/;

class Parser {
  private pos = 0;

  constructor(private readonly src: string) {}

  parse(): RuleExpr {
    this.skip();
    if (this.pos >= this.src.length) this.fail('a term, "(", "!", NEAR(…), /regex/ or a condition');
    const expr = this.parseOr();
    this.skip();
    if (this.pos < this.src.length) this.fail('"&", "|" or the end of the expression');
    return expr;
  }

  private fail(expected: string): never {
    const found = this.pos >= this.src.length ? 'the end of the expression' : JSON.stringify(this.src.slice(this.pos, this.pos + 10));
    throw new RuleSyntaxError(this.pos, expected, found);
  }

  private skip(): void {
    while (this.pos < this.src.length && /\s/.test(this.src[this.pos])) this.pos++;
  }

  private keyword(word: string): boolean {
    const end = this.pos + word.length;
    if (this.src.slice(this.pos, end).toUpperCase() === word && (end >= this.src.length || WORD_STOP.test(this.src[end]))) {
      this.pos = end;
      return true;
    }
    return false;
  }

  private accept(ch: string): boolean {
    this.skip();
    if (this.src.startsWith(ch, this.pos)) {
      this.pos += ch.length;
      return true;
    }
    return false;
  }

  private expect(ch: string): void {
    if (!this.accept(ch)) this.fail(`"${ch}"`);
  }

  private parseOr(): RuleExpr {
    const items = [this.parseAnd()];
    for (;;) {
      this.skip();
      if (this.accept('|') || this.keyword('OR')) items.push(this.parseAnd());
      else break;
    }
    return items.length === 1 ? items[0] : { type: 'or', items };
  }

  private parseAnd(): RuleExpr {
    const items = [this.parseUnary()];
    for (;;) {
      this.skip();
      if (this.accept('&') || this.keyword('AND')) items.push(this.parseUnary());
      else break;
    }
    return items.length === 1 ? items[0] : { type: 'and', items };
  }

  private parseUnary(): RuleExpr {
    this.skip();
    if (this.accept('!') || this.keyword('NOT')) return { type: 'not', item: this.parseUnary() };
    return this.parsePrimary('any');
  }

  private parsePrimary(scope: Scope): RuleExpr {
    this.skip();
    if (this.pos >= this.src.length) this.fail('a term, "(", "!", NEAR(…), /regex/ or a condition');
    const ch = this.src[this.pos];
    if (ch === '(') {
      this.pos++;
      const inner = scope === 'any' ? this.parseOr() : this.withScope(this.parseOr(), scope);
      this.expect(')');
      return inner;
    }
    if (ch === '/') return this.parseRegex(scope);
    if (ch === '"') return { type: 'term', term: this.parseQuoted(), scope };
    if (scope === 'any' && this.keyword('NEAR')) return this.parseNear();
    const start = this.pos;
    const word = this.parseWord();
    this.skip();
    if (scope === 'any' && (word === 'title' || word === 'body') && this.accept(':')) {
      return this.parsePrimary(word);
    }
    if (scope === 'any' && (word === 'category' || word === 'area') && this.accept(':')) {
      this.skip();
      const valueAt = this.pos;
      const value = this.src[this.pos] === '"' ? this.parseQuoted() : this.parseWord();
      if (!value) {
        this.pos = valueAt;
        this.fail(`a ${word} value`);
      }
      return { type: word, value };
    }
    if (scope === 'any' && word === 'heat') {
      const op = (['>=', '<=', '>', '<', '='] as const).find((o) => this.accept(o));
      if (!op) this.fail('a comparison (>=, >, <=, <, =) after heat');
      this.skip();
      const m = /^\d+(\.\d+)?/.exec(this.src.slice(this.pos));
      if (!m) this.fail('a number');
      this.pos += m[0].length;
      return { type: 'heat', op, value: Number(m[0]) };
    }
    if (!word) {
      this.pos = start;
      this.fail('a term, "(", "!", NEAR(…), /regex/ or a condition');
    }
    return { type: 'term', term: normalizeTerm(word), scope };
  }

  private withScope(expr: RuleExpr, scope: Scope): RuleExpr {
    switch (expr.type) {
      case 'term':
      case 'regex':
        return { ...expr, scope };
      case 'and':
      case 'or':
        return { ...expr, items: expr.items.map((e) => this.withScope(e, scope)) };
      case 'not':
        return { ...expr, item: this.withScope(expr.item, scope) };
      default:
        return expr;
    }
  }

  private parseWord(): string {
    const start = this.pos;
    while (this.pos < this.src.length && !WORD_STOP.test(this.src[this.pos])) this.pos++;
    return this.src.slice(start, this.pos);
  }

  private parseQuoted(): string {
    const open = this.pos;
    this.pos++;
    let out = '';
    while (this.pos < this.src.length && this.src[this.pos] !== '"') {
      if (this.src[this.pos] === '\\' && this.pos + 1 < this.src.length) this.pos++;
      out += this.src[this.pos++];
    }
    if (this.pos >= this.src.length) {
      this.pos = this.src.length;
      this.fail('a closing \'"\'');
    }
    this.pos++;
    if (!out.trim()) {
      this.pos = open;
      this.fail('a non-empty quoted term');
    }
    return normalizeTerm(out);
  }

  private parseRegex(scope: Scope): RuleExpr {
    const open = this.pos;
    this.pos++;
    let source = '';
    while (this.pos < this.src.length && this.src[this.pos] !== '/') {
      if (this.src[this.pos] === '\\' && this.pos + 1 < this.src.length) source += this.src[this.pos++];
      source += this.src[this.pos++];
    }
    if (this.pos >= this.src.length) this.fail('a closing "/" of the regular expression');
    this.pos++;
    const flagsAt = this.pos;
    while (this.pos < this.src.length && /[a-z]/.test(this.src[this.pos])) this.pos++;
    const flags = this.src.slice(flagsAt, this.pos);
    if (/[^imsu]/.test(flags)) {
      this.pos = flagsAt;
      this.fail('regular-expression flags among i, m, s, u');
    }
    try {
      new RegExp(source, flags);
    } catch (error) {
      this.pos = open;
      this.fail(`a valid regular expression (${(error as Error).message})`);
    }
    if (!source) {
      this.pos = open;
      this.fail('a non-empty regular expression');
    }
    return { type: 'regex', source, flags, scope };
  }

  private parseNear(): RuleExpr {
    this.expect('(');
    const left = this.parseNearOperand();
    this.expect(',');
    const right = this.parseNearOperand();
    this.expect(',');
    this.skip();
    const m = /^\d+/.exec(this.src.slice(this.pos));
    if (!m) this.fail('a distance in tokens (a whole number)');
    this.pos += m[0].length;
    this.expect(')');
    return { type: 'near', left, right, distance: Number(m[0]) };
  }

  /** A term or a synonym group of terms: 强拆 or (强拆|拆迁). */
  private parseNearOperand(): RuleExpr {
    this.skip();
    if (this.src[this.pos] === '!' || this.src[this.pos] === '/') this.fail('a term or a group of terms (a|b) inside NEAR');
    const at = this.pos;
    const expr = this.parsePrimary('any');
    const onlyTerms = (e: RuleExpr): boolean => e.type === 'term' || (e.type === 'or' && e.items.every(onlyTerms));
    if (!onlyTerms(expr)) {
      this.pos = at;
      this.skip();
      this.fail('a term or a group of terms (a|b) inside NEAR');
    }
    return expr;
  }
}

/** Terms are compared with normalised text: full-width folded, lower case. */
export function normalizeTerm(term: string): string {
  return term
    .replace(/[\uFF01-\uFF5E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .trim()
    .toLowerCase();
}

export function parseRuleExpression(source: string): RuleExpr {
  if (typeof source !== 'string') throw new RuleSyntaxError(0, 'an expression string', typeof source);
  return new Parser(source).parse();
}

/** Every term the expression looks for (positive and negated). */
export function expressionTerms(expr: RuleExpr): string[] {
  switch (expr.type) {
    case 'term':
      return [expr.term];
    case 'near':
      return [...expressionTerms(expr.left), ...expressionTerms(expr.right)];
    case 'and':
    case 'or':
      return expr.items.flatMap(expressionTerms);
    case 'not':
      return expressionTerms(expr.item);
    default:
      return [];
  }
}

/**
 * Terms of which at least one must occur for the expression to be true, or null when it can be true
 * without any term (negations, regexes, conditions). Rules with such a set are only evaluated on
 * texts where one of those terms occurs: that keeps matching cost independent of the rule count.
 */
export function triggerTerms(expr: RuleExpr): string[] | null {
  switch (expr.type) {
    case 'term':
      return [expr.term];
    case 'near':
      return triggerTerms(expr.left);
    case 'and': {
      const sets = expr.items.map(triggerTerms).filter((s): s is string[] => s !== null);
      if (sets.length === 0) return null;
      return sets.reduce((a, b) => (b.length < a.length ? b : a));
    }
    case 'or': {
      const sets = expr.items.map(triggerTerms);
      return sets.some((s) => s === null) ? null : (sets as string[][]).flat();
    }
    default:
      return null;
  }
}
