import { AhoCorasick } from './aho-corasick';
import type { KeywordRuleDefinition, TermHit } from './keyword-rule';
import { CompiledExpr, compileExpression, evaluateCompiled, evaluateExpression, MatchContext, TermOccurrences } from './rule-evaluator';
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

const NO_HITS: readonly TermHit[] = [];

/**
 * A compiled set of rule expressions behind one term index (Aho–Corasick over every term of every
 * rule). A text is scanned once; only rules with a trigger term in the text (plus the few that can
 * fire without any term: regexes, conditions, pure negations) are evaluated, so the cost of matching
 * grows with the hits, not with the number of rules.
 *
 * Terms are numbered (their index in `terms`): a scan records hits per term number in typed arrays,
 * candidate rules are looked up by term number, and the spans (TermHit objects) of a term are only
 * built when an evaluation asks for them.
 */
export class RuleSet<T> implements TermOccurrences {
  private readonly automaton: AhoCorasick;
  private readonly compiled: CompiledExpr[];
  /** Rules triggered by term p: triggerRule[triggerStart[p] .. triggerStart[p + 1]). */
  private readonly triggerStart: Int32Array;
  private readonly triggerRule: Int32Array;
  private readonly always: number[] = [];
  readonly terms: string[];
  private readonly termIds = new Map<string, number>();

  // Scratch for one scan (a RuleSet matches one text at a time; everything is reset by bumping `epoch`).
  private epoch = 0;
  private readonly termEpoch: Int32Array;
  /** First and last hit (index into the automaton's hit buffers) of a term; next hit of the same term. */
  private readonly firstHit: Int32Array;
  private readonly lastHit: Int32Array;
  private nextHit = new Int32Array(256);
  private readonly present: Int32Array;
  private presentCount = 0;
  private readonly spanCache: (TermHit[] | undefined)[];
  private readonly ruleEpoch: Int32Array;
  private candidates: Int32Array;

  constructor(private readonly entries: readonly CompiledEntry<T>[]) {
    const termIds = this.termIds;
    const terms: string[] = [];
    const termId = (t: string): number => {
      let id = termIds.get(t);
      if (id === undefined) termIds.set(t, (id = terms.push(t) - 1));
      return id;
    };
    const triggers: number[][] = [];
    entries.forEach((entry, i) => {
      for (const t of expressionTerms(entry.expr)) termId(t);
      const tt = triggerTerms(entry.expr);
      if (tt === null) this.always.push(i);
      else for (const id of new Set(tt.map(termId))) (triggers[id] ??= []).push(i);
    });
    this.terms = terms;
    this.compiled = entries.map((entry) => compileExpression(entry.expr, termId));
    this.automaton = new AhoCorasick(terms);
    const n = terms.length;
    this.triggerStart = new Int32Array(n + 1);
    let total = 0;
    for (let p = 0; p < n; p++) {
      this.triggerStart[p] = total;
      total += triggers[p]?.length ?? 0;
    }
    this.triggerStart[n] = total;
    this.triggerRule = new Int32Array(total);
    for (let p = 0; p < n; p++) this.triggerRule.set(triggers[p] ?? [], this.triggerStart[p]);
    this.termEpoch = new Int32Array(n);
    this.firstHit = new Int32Array(n);
    this.lastHit = new Int32Array(n);
    this.present = new Int32Array(n);
    this.spanCache = new Array<TermHit[] | undefined>(n);
    this.ruleEpoch = new Int32Array(entries.length);
    this.candidates = new Int32Array(Math.min(entries.length, 1024));
  }

  get size(): number {
    return this.entries.length;
  }

  /** Scans a text: per term number, its hits (chained through `nextHit`) and the terms present. */
  private scan(text: string): void {
    if (++this.epoch === 0x7fffffff) {
      this.epoch = 1;
      this.termEpoch.fill(0);
      this.ruleEpoch.fill(0);
    }
    const epoch = this.epoch;
    const count = this.automaton.scan(text);
    const hitPattern = this.automaton.hitPattern;
    if (this.nextHit.length < count) this.nextHit = new Int32Array(this.automaton.hitPattern.length);
    const { termEpoch, firstHit, lastHit, nextHit, present, spanCache } = this;
    let presentCount = 0;
    for (let i = 0; i < count; i++) {
      const p = hitPattern[i];
      nextHit[i] = -1;
      if (termEpoch[p] !== epoch) {
        termEpoch[p] = epoch;
        firstHit[p] = i;
        spanCache[p] = undefined;
        present[presentCount++] = p;
      } else nextHit[lastHit[p]] = i;
      lastHit[p] = i;
    }
    this.presentCount = presentCount;
  }

  /** TermOccurrences over the last scan. */
  has(id: number): boolean {
    return this.termEpoch[id] === this.epoch;
  }

  spans(id: number): readonly TermHit[] {
    if (this.termEpoch[id] !== this.epoch) return NO_HITS;
    let spans = this.spanCache[id];
    if (!spans) {
      spans = [];
      const term = this.terms[id];
      const hitEnd = this.automaton.hitEnd;
      for (let i = this.firstHit[id]; i !== -1; i = this.nextHit[i]) spans.push({ term, start: hitEnd[i] - term.length, end: hitEnd[i] });
      this.spanCache[id] = spans;
    }
    return spans;
  }

  /** Occurrences of every indexed term in the text. */
  termHits(text: string): Map<string, TermHit[]> {
    this.scan(text);
    const hits = new Map<string, TermHit[]>();
    for (let k = 0; k < this.presentCount; k++) {
      const p = this.present[k];
      hits.set(this.terms[p], this.spans(p) as TermHit[]);
    }
    return hits;
  }

  /** The rules that fire, in the order they were given, with their evidence. */
  match(input: MatchInput, termHits?: Map<string, TermHit[]>): RuleSetMatch<T>[] {
    if (termHits) return this.matchWithHits(input, termHits);
    this.scan(input.text);
    const { epoch, ruleEpoch, triggerStart, triggerRule, present } = this;
    let candidates = this.candidates;
    let n = 0;
    const add = (r: number) => {
      if (ruleEpoch[r] === epoch) return;
      ruleEpoch[r] = epoch;
      if (n === candidates.length) {
        const bigger = new Int32Array(Math.max(16, candidates.length * 2));
        bigger.set(candidates);
        this.candidates = candidates = bigger;
      }
      candidates[n++] = r;
    };
    for (const r of this.always) add(r);
    for (let k = 0; k < this.presentCount; k++) {
      const p = present[k];
      for (let j = triggerStart[p]; j < triggerStart[p + 1]; j++) add(triggerRule[j]);
    }
    const order = candidates.subarray(0, n).sort();
    const out: RuleSetMatch<T>[] = [];
    for (let k = 0; k < n; k++) {
      const i = order[k];
      const m = evaluateCompiled(this.compiled[i], input, this);
      if (m.matched) out.push({ key: this.entries[i].key, hits: m.hits });
    }
    return out;
  }

  /** match() over term occurrences given as a Map (as termHits returns them). */
  private matchWithHits(input: MatchInput, termHits: Map<string, TermHit[]>): RuleSetMatch<T>[] {
    const candidates = new Set<number>(this.always);
    for (const term of termHits.keys()) {
      const p = this.termIds.get(term);
      if (p !== undefined) for (let j = this.triggerStart[p]; j < this.triggerStart[p + 1]; j++) candidates.add(this.triggerRule[j]);
    }
    const ctx: MatchContext = { ...input, hits: termHits };
    const out: RuleSetMatch<T>[] = [];
    for (const i of [...candidates].sort((a, b) => a - b)) {
      const m = evaluateExpression(this.entries[i].expr, ctx);
      if (m.matched) out.push({ key: this.entries[i].key, hits: m.hits });
    }
    return out;
  }
}
