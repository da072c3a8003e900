import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';

export const HEAT_LEVELS = ['blue', 'yellow', 'orange', 'red'] as const;
export type HeatLevel = (typeof HEAT_LEVELS)[number];
export const HEAT_LEVEL_ZH: Record<HeatLevel, string> = { blue: '蓝', yellow: '黄', orange: '橙', red: '红' };

export interface HeatLexicon {
  negationWindow: number;
  intensifierFactor: number;
  negations: string[];
  intensifiers: string[];
  signals: Record<string, { weight: number; terms: string[] }>;
  engagementWeight: number;
  authorWeight: number;
  saturation: number;
  levels: { yellow: number; orange: number; red: number };
}

export interface HeatInput {
  /** Normalised text (title and body). */
  text: string;
  replies?: number | null;
  likes?: number | null;
  /** Distinct authors talking about the same thing (1 for a single post). */
  authors?: number;
}

export interface HeatSignal {
  kind: string;
  term: string;
  start: number;
  weight: number;
  negated?: boolean;
  intensified?: boolean;
}

export interface Heat {
  score: number;
  level: HeatLevel;
  signals: HeatSignal[];
}

export function loadHeatLexicon(path: string): HeatLexicon {
  const raw = load(readFileSync(path, 'utf8')) as HeatLexicon;
  if (!raw || typeof raw !== 'object' || typeof raw.signals !== 'object' || !raw.levels) throw new Error(`${path}: not a heat lexicon`);
  for (const [kind, s] of Object.entries(raw.signals)) {
    if (typeof s.weight !== 'number' || !Array.isArray(s.terms)) throw new Error(`${path}: signals.${kind} needs a weight and terms`);
  }
  return raw;
}

export function levelForScore(score: number, levels: HeatLexicon['levels']): HeatLevel {
  if (score >= levels.red) return 'red';
  if (score >= levels.orange) return 'orange';
  if (score >= levels.yellow) return 'yellow';
  return 'blue';
}

/**
 * The signal terms of a lexicon in order (kinds as listed, then terms as listed), indexed by first
 * code unit so that one pass over a text finds them all: a bitset of first units (8 KB) turns most
 * characters away, then the terms beginning with that unit are compared, in order. Built once per
 * lexicon object (a loaded lexicon is not changed afterwards); empty terms are left out.
 */
interface SignalIndex {
  terms: { kind: string; term: string; weight: number }[];
  firstBits: Int32Array;
  byFirst: Map<number, number[]>;
  /** Scratch: where each term may next start (occurrences of one term do not overlap). */
  nextFree: Int32Array;
}

const signalIndexes = new WeakMap<HeatLexicon, SignalIndex>();

function signalIndex(lex: HeatLexicon): SignalIndex {
  let index = signalIndexes.get(lex);
  if (!index) {
    const terms = Object.entries(lex.signals).flatMap(([kind, s]) => s.terms.filter((term) => term.length > 0).map((term) => ({ kind, term, weight: s.weight })));
    const firstBits = new Int32Array(65536 >>> 5);
    const byFirst = new Map<number, number[]>();
    terms.forEach(({ term }, t) => {
      const unit = term.charCodeAt(0);
      firstBits[unit >>> 5] |= 1 << (unit & 31);
      const list = byFirst.get(unit);
      if (list) list.push(t);
      else byFirst.set(unit, [t]);
    });
    index = { terms, firstBits, byFirst, nextFree: new Int32Array(terms.length) };
    signalIndexes.set(lex, index);
  }
  return index;
}

/**
 * Every occurrence of every signal term, each term's occurrences non-overlapping from the left (as
 * repeated indexOf finds them). The order differs from term-by-term search only between occurrences
 * at different places or of different lengths, which the caller's stable sort puts in order anyway.
 */
function signalCandidates(text: string, index: SignalIndex): { kind: string; term: string; start: number; end: number; weight: number }[] {
  const { terms, firstBits, byFirst, nextFree } = index;
  nextFree.fill(0);
  const found: { kind: string; term: string; start: number; end: number; weight: number }[] = [];
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if ((firstBits[unit >>> 5] & (1 << (unit & 31))) === 0) continue;
    for (const t of byFirst.get(unit)!) {
      const { kind, term, weight } = terms[t];
      if (i >= nextFree[t] && text.startsWith(term, i)) {
        found.push({ kind, term, start: i, end: i + term.length, weight });
        nextFree[t] = i + term.length;
      }
    }
  }
  return found;
}

/**
 * How hot a post (or a group of posts) is: negativity and escalation terms, cancelled by a negation
 * just before them and strengthened by an intensifier, plus engagement and distinct authors, mapped
 * to 0..100 and a warning level 蓝/黄/橙/红 (blue/yellow/orange/red). Longer terms win over the
 * shorter ones they contain (投诉无门 counts once, not also as 投诉).
 */
export function scoreHeat(input: HeatInput, lex: HeatLexicon): Heat {
  const { text } = input;
  const candidates = signalCandidates(text, signalIndex(lex));
  candidates.sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start);
  const taken: typeof candidates = [];
  for (const c of candidates) if (!taken.some((t) => c.start < t.end && c.end > t.start)) taken.push(c);
  taken.sort((a, b) => a.start - b.start);

  const perTerm = new Map<string, number>();
  const signals: HeatSignal[] = [];
  let raw = 0;
  for (const c of taken) {
    const before = text.slice(Math.max(0, c.start - lex.negationWindow), c.start);
    const negated = lex.negations.some((n) => before.includes(n)) && !before.includes('不得不');
    const intensified = lex.intensifiers.some((n) => before.includes(n));
    const weight = negated ? 0 : c.weight * (intensified ? lex.intensifierFactor : 1);
    const seen = perTerm.get(c.term) ?? 0;
    perTerm.set(c.term, seen + 1);
    if (!negated && seen < 2) raw += weight;
    signals.push({ kind: c.kind, term: c.term, start: c.start, weight, ...(negated ? { negated } : {}), ...(intensified ? { intensified } : {}) });
  }
  const engagement = Math.max(0, input.replies ?? 0) + Math.max(0, input.likes ?? 0);
  raw += lex.engagementWeight * Math.log2(1 + engagement);
  raw += lex.authorWeight * Math.max(0, (input.authors ?? 1) - 1);
  const score = Math.round(100 * (1 - Math.exp(-raw / lex.saturation)) * 10) / 10;
  return { score, level: levelForScore(score, lex.levels), signals };
}
