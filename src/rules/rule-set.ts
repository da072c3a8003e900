import { AhoCorasick } from './aho-corasick';
import type { KeywordRuleDefinition, TermHit } from './keyword-rule';
import { clauseForm, CompiledExpr, compileExpression, evaluateCompiled, evaluateExpression, matchesCompiled, MatchContext, TermOccurrences } from './rule-evaluator';
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
const byPosition = (a: TermHit, b: TermHit) => a.start - b.start || b.end - a.end;
/** Marks a rule's program as the general evaluator's (not in clause form). */
const GENERAL = -1;

/**
 * Rules as one array of small programs (rule r at programStart[r]): the number of its clauses (GENERAL when it is
 * not in clause form, see `clauseForm`), the number of its evidence terms and those terms (the distinct terms of
 * its positive clauses), then per clause a header (terms × 2 + 1 when negated) and its terms. One rule reads one
 * or two cache lines.
 */
function rulePrograms(compiled: readonly CompiledExpr[]): { programStart: Int32Array; program: Int32Array } {
  const programStart = new Int32Array(compiled.length);
  const program: number[] = [];
  compiled.forEach((expr, r) => {
    programStart[r] = program.length;
    const clauses = clauseForm(expr);
    if (!clauses) {
      program.push(GENERAL);
      return;
    }
    const evidence = [...new Set(clauses.filter((c) => !c.negated).flatMap((c) => c.ids))];
    program.push(clauses.length, evidence.length, ...evidence);
    for (const c of clauses) program.push(c.ids.length * 2 + (c.negated ? 1 : 0), ...c.ids);
  });
  return { programStart, program: Int32Array.from(program) };
}

/**
 * A compiled set of rule expressions behind one term index (Aho–Corasick over every term of every
 * rule). A text is scanned once; only rules with a trigger term in the text (plus the few that can
 * fire without any term: regexes, conditions, pure negations) are evaluated, so the cost of matching
 * grows with the hits, not with the number of rules.
 *
 * Terms are numbered (their index in `terms`): a scan records hits per term number in typed arrays,
 * candidate rules are looked up by term number, and the spans (TermHit objects) of a term are only
 * built when an evaluation asks for them.
 *
 * Rules in clause form (an AND of OR-groups of terms and negated groups: keyword rules and most
 * written rules) are decided by reading the scan's term marks, without allocating, and only the rules
 * that fire build their evidence. Other rules are decided by the general evaluator without evidence
 * first, and evaluated with evidence only when they fire. The scratch state of a term (whether it
 * occurs, its first and last hit) is one 16-byte record, so a hit or a look-up costs one cache line.
 */
export class RuleSet<T> implements TermOccurrences {
  private readonly automaton: AhoCorasick;
  private readonly compiled: CompiledExpr[];
  /** Rules triggered by term p: triggerRule[triggerStart[p] .. triggerStart[p + 1]). */
  private readonly triggerStart: Int32Array;
  private readonly triggerRule: Int32Array;
  private readonly always: number[] = [];
  private readonly programStart: Int32Array;
  private readonly program: Int32Array;
  readonly terms: string[];
  private readonly termIds = new Map<string, number>();

  // Scratch for one scan (a RuleSet matches one text at a time; everything is reset by bumping `epoch`).
  private epoch = 0;
  /**
   * Term p's record at 4p: the epoch of the last scan it occurred in, its first and last hit (indexes into the
   * automaton's hit buffers; further hits of the term are chained through `nextHit`), and the epoch for which
   * spanCache[p] holds its spans.
   */
  private readonly termState: Int32Array;
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
    ({ programStart: this.programStart, program: this.program } = rulePrograms(this.compiled));
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
    this.termState = new Int32Array(4 * n);
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
      this.termState.fill(0);
      this.ruleEpoch.fill(0);
    }
    const epoch = this.epoch;
    const count = this.automaton.scan(text);
    const hitPattern = this.automaton.hitPattern;
    if (this.nextHit.length < count) this.nextHit = new Int32Array(this.automaton.hitPattern.length);
    const { termState, nextHit, present } = this;
    let presentCount = 0;
    for (let i = 0; i < count; i++) {
      const at = hitPattern[i] << 2;
      nextHit[i] = -1;
      if (termState[at] !== epoch) {
        termState[at] = epoch;
        termState[at + 1] = i;
        present[presentCount++] = hitPattern[i];
      } else nextHit[termState[at + 2]] = i;
      termState[at + 2] = i;
    }
    this.presentCount = presentCount;
  }

  /** TermOccurrences over the last scan. */
  has(id: number): boolean {
    return this.termState[id << 2] === this.epoch;
  }

  spans(id: number): readonly TermHit[] {
    const at = id << 2;
    const { termState, epoch } = this;
    if (termState[at] !== epoch) return NO_HITS;
    if (termState[at + 3] === epoch) return this.spanCache[id]!;
    const spans: TermHit[] = [];
    const term = this.terms[id];
    const hitEnd = this.automaton.hitEnd;
    for (let i = termState[at + 1]; i !== -1; i = this.nextHit[i]) spans.push({ term, start: hitEnd[i] - term.length, end: hitEnd[i] });
    this.spanCache[id] = spans;
    termState[at + 3] = epoch;
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
    const { epoch, ruleEpoch, triggerStart, triggerRule, present, always } = this;
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
    for (const r of always) add(r);
    for (let k = 0; k < this.presentCount; k++) {
      const p = present[k];
      for (let j = triggerStart[p], to = triggerStart[p + 1]; j < to; j++) add(triggerRule[j]);
    }
    const order = candidates.subarray(0, n).sort();
    const evidence = input.evidence !== false;
    const out: RuleSetMatch<T>[] = [];
    for (let k = 0; k < n; k++) {
      const r = order[k];
      const decided = this.clausesHold(r);
      if (decided === 0) continue;
      if (decided === 1) out.push({ key: this.entries[r].key, hits: evidence ? this.clauseEvidence(r) : [] });
      else if (matchesCompiled(this.compiled[r], input, this)) out.push({ key: this.entries[r].key, hits: evidence ? evaluateCompiled(this.compiled[r], input, this).hits : [] });
    }
    return out;
  }

  /** Rule r in the last scan: 1 when it is in clause form and every clause holds, 0 when one fails, -1 when it is not in clause form. */
  private clausesHold(r: number): number {
    const { program, termState, epoch } = this;
    let at = this.programStart[r];
    const clauses = program[at];
    if (clauses === GENERAL) return -1;
    at += 2 + program[at + 1];
    for (let c = 0; c < clauses; c++) {
      const header = program[at++];
      const end = at + (header >> 1);
      let found = false;
      for (; at < end; at++) {
        if (termState[program[at] << 2] === epoch) {
          found = true;
          break;
        }
      }
      if (found === ((header & 1) === 1)) return 0;
      at = end;
    }
    return 1;
  }

  /**
   * The evidence of rule r (in clause form) that fires: every occurrence of the terms of its positive clauses,
   * each term once, by start (longer first at one start), as evaluateCompiled gives it (distinct terms never
   * share a span, so its de-duplication by span and term is a de-duplication by term here).
   */
  private clauseEvidence(r: number): TermHit[] {
    const program = this.program;
    const at = this.programStart[r] + 2;
    const hits: TermHit[] = [];
    let terms = 0;
    for (let j = at, end = at + program[at - 1]; j < end; j++) {
      const spans = this.spans(program[j]);
      if (spans.length === 0) continue;
      terms++;
      for (const h of spans) hits.push(h);
    }
    if (terms > 1) hits.sort(byPosition);
    return hits;
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
