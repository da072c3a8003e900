import { AhoCorasick } from './aho-corasick';
import type { KeywordRuleDefinition, TermHit } from './keyword-rule';
import { evaluateExpression, MatchContext } from './rule-evaluator';
import { expressionTerms, normalizeTerm, RuleExpr, triggerTerms } from './rule-expression';

/** A keyword rule as an expression: every group present, no exclusion term. */
export function keywordRuleToExpression(def: KeywordRuleDefinition): RuleExpr {
  const group = (terms: string[]): RuleExpr =>
    terms.length === 1 ? { type: 'term', term: normalizeTerm(terms[0]), scope: 'any' } : { type: 'or', items: terms.map((t) => ({ type: 'term', term: normalizeTerm(t), scope: 'any' })) };
  const items: RuleExpr[] = def.all.map(group);
  if (def.none?.length) items.push({ type: 'not', item: group(def.none) });
  return items.length === 1 ? items[0] : { type: 'and', items };
}

export interface CompiledEntry<T> {
  key: T;
  expr: RuleExpr;
}

export interface RuleSetMatch<T> {
  key: T;
  hits: TermHit[];
}

export type MatchInput = Omit<MatchContext, 'hits'>;

/**
 * A compiled set of rule expressions behind one term index (Aho–Corasick over every term of every
 * rule). A text is scanned once; only rules with a trigger term in the text (plus the few that can
 * fire without any term: regexes, conditions, pure negations) are evaluated, so the cost of matching
 * grows with the hits, not with the number of rules.
 */
export class RuleSet<T> {
  private readonly automaton: AhoCorasick;
  private readonly byTrigger: Map<string, number[]> = new Map();
  private readonly always: number[] = [];
  readonly terms: string[];

  constructor(private readonly entries: readonly CompiledEntry<T>[]) {
    const terms = new Set<string>();
    entries.forEach((entry, i) => {
      for (const t of expressionTerms(entry.expr)) terms.add(t);
      const triggers = triggerTerms(entry.expr);
      if (triggers === null) this.always.push(i);
      else
        for (const t of new Set(triggers)) {
          const list = this.byTrigger.get(t);
          if (list) list.push(i);
          else this.byTrigger.set(t, [i]);
        }
    });
    this.terms = [...terms];
    this.automaton = new AhoCorasick(this.terms);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Occurrences of every indexed term in the text. */
  termHits(text: string): Map<string, TermHit[]> {
    const hits = new Map<string, TermHit[]>();
    for (const h of this.automaton.search(text)) {
      const term = this.terms[h.pattern];
      const hit = { term, start: h.start, end: h.end };
      const list = hits.get(term);
      if (list) list.push(hit);
      else hits.set(term, [hit]);
    }
    return hits;
  }

  /** The rules that fire, in the order they were given, with their evidence. */
  match(input: MatchInput, termHits: Map<string, TermHit[]> = this.termHits(input.text)): RuleSetMatch<T>[] {
    const candidates = new Set<number>(this.always);
    for (const term of termHits.keys()) for (const i of this.byTrigger.get(term) ?? []) candidates.add(i);
    const ctx: MatchContext = { ...input, hits: termHits };
    const out: RuleSetMatch<T>[] = [];
    for (const i of [...candidates].sort((a, b) => a - b)) {
      const m = evaluateExpression(this.entries[i].expr, ctx);
      if (m.matched) out.push({ key: this.entries[i].key, hits: m.hits });
    }
    return out;
  }
}
