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

const regexCache = new WeakMap<object, RegExp>();

function inScope(hit: TermHit, scope: Scope, ctx: MatchContext): boolean {
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

function termHitsOf(expr: RuleExpr, ctx: MatchContext): TermHit[] {
  if (expr.type === 'term') return (ctx.hits.get(expr.term) ?? []).filter((h) => inScope(h, expr.scope, ctx));
  if (expr.type === 'or') return expr.items.flatMap((e) => termHitsOf(e, ctx));
  return [];
}

function evalInto(expr: RuleExpr, ctx: MatchContext, evidence: TermHit[] | null): boolean {
  switch (expr.type) {
    case 'term': {
      const hits = termHitsOf(expr, ctx);
      if (hits.length && evidence) evidence.push(...hits);
      return hits.length > 0;
    }
    case 'regex': {
      let re = regexCache.get(expr);
      if (!re) regexCache.set(expr, (re = new RegExp(expr.source, expr.flags.includes('g') ? expr.flags : `${expr.flags}g`)));
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
      const left = termHitsOf(expr.left, ctx);
      if (!left.length) return false;
      const right = termHitsOf(expr.right, ctx);
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
      const local: TermHit[] | null = evidence ? [] : null;
      for (const item of expr.items) if (!evalInto(item, ctx, local)) return false;
      if (evidence && local) evidence.push(...local);
      return true;
    }
    case 'or': {
      if (!evidence) return expr.items.some((item) => evalInto(item, ctx, null));
      let any = false;
      for (const item of expr.items) if (evalInto(item, ctx, evidence)) any = true;
      return any;
    }
    case 'not':
      return !evalInto(expr.item, ctx, null);
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

/** Evaluates an expression; `hits` are the spans of the positive terms that made it true, in text order. */
export function evaluateExpression(expr: RuleExpr, ctx: MatchContext): ExpressionMatch {
  if (ctx.evidence === false) return { matched: evalInto(expr, ctx, null), hits: [] };
  const evidence: TermHit[] = [];
  if (!evalInto(expr, ctx, evidence)) return { matched: false, hits: [] };
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
