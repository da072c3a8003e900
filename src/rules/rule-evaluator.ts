import type { TermHit } from './keyword-rule';
import type { RuleExpr, Scope } from './rule-expression';

/** What a rule expression is evaluated against. */
export interface MatchContext {
  /** Normalised `${title}\n${body}`; spans refer to it. */
  text: string;
  /** Length of the normalised title: offsets before it are the title, after it (+1) the body. */
  titleLength: number;
  /** Occurrences of every indexed term in `text` (from the term index). */
  hits: ReadonlyMap<string, readonly TermHit[]>;
  /** Start offsets of the tokens of `text`, strictly ascending (for NEAR); computed on first use. */
  tokenStarts: () => readonly number[];
  /** false: only whether the expression matches is wanted, not its evidence (`hits` is then empty). */
  evidence?: boolean;
  domain?: string | null;
  disputeType?: string | null;
  /** Ids and codes of the post's area and every area above it. */
  areaPath?: readonly string[];
  heat?: number;
}

export interface ExpressionMatch {
  matched: boolean;
  hits: TermHit[];
}

/**
 * Occurrences of terms by term number (see `compileExpression`). `spans` must return the same array
 * (the same hit objects) for the same term while one text is evaluated, and nobody modifies it.
 */
export interface TermOccurrences {
  /** Whether the term occurs anywhere in the text. */
  has(id: number): boolean;
  /** Its occurrences in text order. */
  spans(id: number): readonly TermHit[];
}

/** A rule expression with its terms replaced by numbers and its regexes compiled. */
export type CompiledExpr =
  | { type: 'term'; id: number; scope: Scope }
  | { type: 'regex'; source: Extract<RuleExpr, { type: 'regex' }>; scope: Scope }
  | { type: 'near'; left: CompiledExpr; right: CompiledExpr; distance: number }
  | { type: 'and'; items: CompiledExpr[] }
  | { type: 'or'; items: CompiledExpr[] }
  | { type: 'not'; item: CompiledExpr }
  | { type: 'category'; value: string }
  | { type: 'area'; value: string }
  | { type: 'heat'; op: '>=' | '>' | '<=' | '<' | '='; value: number };

/** Compiles an expression; `termId` numbers each term (the same term, the same number). */
export function compileExpression(expr: RuleExpr, termId: (term: string) => number): CompiledExpr {
  switch (expr.type) {
    case 'term':
      return { type: 'term', id: termId(expr.term), scope: expr.scope };
    case 'regex':
      return { type: 'regex', source: expr, scope: expr.scope };
    case 'near':
      return { type: 'near', left: compileExpression(expr.left, termId), right: compileExpression(expr.right, termId), distance: expr.distance };
    case 'and':
    case 'or':
      return { type: expr.type, items: expr.items.map((e) => compileExpression(e, termId)) };
    case 'not':
      return { type: 'not', item: compileExpression(expr.item, termId) };
    default:
      return expr;
  }
}

/** The context without the term occurrences (those come as TermOccurrences). */
export type EvaluationContext = Omit<MatchContext, 'hits'>;

const NO_HITS: readonly TermHit[] = [];
const regexCache = new WeakMap<object, RegExp>();

function inScope(hit: TermHit, scope: Scope, ctx: EvaluationContext): boolean {
  if (scope === 'any') return true;
  return scope === 'title' ? hit.end <= ctx.titleLength : hit.start > ctx.titleLength;
}

function tokenIndex(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  let ans = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] <= offset) {
      ans = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return ans;
}

class Evaluation {
  constructor(
    readonly ctx: EvaluationContext,
    readonly occ: TermOccurrences,
  ) {}

  /** The in-scope hits of a term or of a group of terms (the shared array when nothing is filtered out). */
  termHitsOf(expr: CompiledExpr): readonly TermHit[] {
    if (expr.type === 'term') {
      if (!this.occ.has(expr.id)) return NO_HITS;
      const spans = this.occ.spans(expr.id);
      return expr.scope === 'any' ? spans : spans.filter((h) => inScope(h, expr.scope, this.ctx));
    }
    if (expr.type === 'or') return expr.items.flatMap((e) => this.termHitsOf(e));
    return NO_HITS;
  }

  /** Whether a term occurs in its scope (no array built). */
  private termPresent(expr: { id: number; scope: Scope }): boolean {
    if (!this.occ.has(expr.id)) return false;
    if (expr.scope === 'any') return true;
    for (const h of this.occ.spans(expr.id)) if (inScope(h, expr.scope, this.ctx)) return true;
    return false;
  }

  eval(expr: CompiledExpr, evidence: TermHit[] | null): boolean {
    const ctx = this.ctx;
    switch (expr.type) {
      case 'term': {
        if (!evidence) return this.termPresent(expr);
        const hits = this.termHitsOf(expr);
        if (hits.length) evidence.push(...hits);
        return hits.length > 0;
      }
      case 'regex': {
        let re = regexCache.get(expr.source);
        if (!re) regexCache.set(expr.source, (re = new RegExp(expr.source.source, expr.source.flags.includes('g') ? expr.source.flags : `${expr.source.flags}g`)));
        const found: TermHit[] = [];
        for (const m of ctx.text.matchAll(re)) {
          if (m[0].length === 0) continue;
          const hit = { term: m[0], start: m.index, end: m.index + m[0].length };
          if (inScope(hit, expr.scope, ctx)) found.push(hit);
          if (found.length >= 20) break;
        }
        if (found.length && evidence) evidence.push(...found);
        return found.length > 0;
      }
      case 'near': {
        const left = this.termHitsOf(expr.left);
        if (!left.length) return false;
        const right = this.termHitsOf(expr.right);
        if (!right.length) return false;
        if (!evidence) {
          // Tokens are at least one character long, so two hits at most `distance` characters apart are at most
          // `distance` tokens apart: no need to segment the text (segmenting is the expensive part of NEAR).
          for (const a of left) for (const b of right) if (Math.abs(a.start - b.start) <= expr.distance) return true;
        }
        const starts = ctx.tokenStarts();
        const used = new Set<TermHit>();
        for (const a of left) {
          const ia = tokenIndex(starts, a.start);
          for (const b of right) {
            if (Math.abs(ia - tokenIndex(starts, b.start)) <= expr.distance) {
              used.add(a);
              used.add(b);
            }
          }
        }
        if (used.size && evidence) evidence.push(...used);
        return used.size > 0;
      }
      case 'and': {
        if (!evidence) {
          for (const item of expr.items) if (!this.eval(item, null)) return false;
          return true;
        }
        const local: TermHit[] = [];
        for (const item of expr.items) if (!this.eval(item, local)) return false;
        evidence.push(...local);
        return true;
      }
      case 'or': {
        if (!evidence) {
          for (const item of expr.items) if (this.eval(item, null)) return true;
          return false;
        }
        let any = false;
        for (const item of expr.items) if (this.eval(item, evidence)) any = true;
        return any;
      }
      case 'not':
        return !this.eval(expr.item, null);
      case 'category':
        return ctx.domain === expr.value || ctx.disputeType === expr.value;
      case 'area':
        return (ctx.areaPath ?? []).includes(expr.value);
      case 'heat': {
        const h = ctx.heat ?? 0;
        switch (expr.op) {
          case '>=':
            return h >= expr.value;
          case '>':
            return h > expr.value;
          case '<=':
            return h <= expr.value;
          case '<':
            return h < expr.value;
          default:
            return h === expr.value;
        }
      }
    }
  }
}

/** Whether a compiled expression matches, without collecting its evidence (what `evidence: false` evaluates). */
export function matchesCompiled(expr: CompiledExpr, ctx: EvaluationContext, occ: TermOccurrences): boolean {
  return new Evaluation(ctx, occ).eval(expr, null);
}

/** One clause of a rule in clause form: true when one of `ids` occurs (when none occurs, if `negated`). */
export interface TermClause {
  negated: boolean;
  ids: number[];
}

/**
 * The expression as an AND of clauses over terms of scope `any`, each an OR of terms or the negation of one,
 * or null when it has another shape (scopes, NEAR, regexes, conditions, nested negations, an OR of ANDs).
 * Keyword rules and most hand-written rules (`(物业|业委会) & 乱收费 & !招聘`) have this form. Such a rule
 * matches exactly when every clause holds, and its evidence is every occurrence of every term of its
 * positive clauses (an OR with evidence collects all its items' hits, a negation none).
 */
export function clauseForm(expr: CompiledExpr): TermClause[] | null {
  const terms = (e: CompiledExpr, into: number[]): boolean => {
    if (e.type === 'term') {
      into.push(e.id);
      return e.scope === 'any';
    }
    return e.type === 'or' && e.items.every((item) => terms(item, into));
  };
  const clauses: TermClause[] = [];
  const add = (e: CompiledExpr): boolean => {
    if (e.type === 'and') return e.items.every(add);
    const ids: number[] = [];
    const negated = e.type === 'not';
    if (!terms(negated ? e.item : e, ids)) return false;
    clauses.push({ negated, ids });
    return true;
  };
  return add(expr) ? clauses : null;
}

/** Evaluates a compiled expression against term occurrences by number (what RuleSet does). */
export function evaluateCompiled(expr: CompiledExpr, ctx: EvaluationContext, occ: TermOccurrences): ExpressionMatch {
  const evaluation = new Evaluation(ctx, occ);
  if (ctx.evidence === false) return { matched: evaluation.eval(expr, null), hits: [] };
  const evidence: TermHit[] = [];
  if (!evaluation.eval(expr, evidence)) return { matched: false, hits: [] };
  if (evidence.length <= 1) return { matched: true, hits: evidence };
  const seen = new Set<string>();
  const hits = evidence
    .filter((h) => {
      const key = `${h.start}:${h.end}:${h.term}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.start - b.start || b.end - a.end);
  return { matched: true, hits };
}

const compiledCache = new WeakMap<RuleExpr, { expr: CompiledExpr; terms: string[] }>();

/** Evaluates an expression; `hits` are the spans of the positive terms that made it true, in text order. */
export function evaluateExpression(expr: RuleExpr, ctx: MatchContext): ExpressionMatch {
  let compiled = compiledCache.get(expr);
  if (!compiled) {
    const terms: string[] = [];
    const ids = new Map<string, number>();
    const termId = (t: string): number => {
      let id = ids.get(t);
      if (id === undefined) ids.set(t, (id = terms.push(t) - 1));
      return id;
    };
    compiledCache.set(expr, (compiled = { expr: compileExpression(expr, termId), terms }));
  }
  const { terms } = compiled;
  const occ: TermOccurrences = {
    has: (id) => (ctx.hits.get(terms[id])?.length ?? 0) > 0,
    spans: (id) => ctx.hits.get(terms[id]) ?? NO_HITS,
  };
  return evaluateCompiled(compiled.expr, ctx, occ);
}
