import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';

export interface DisputeType {
  name: string;
  terms: string[];
}

export interface Domain {
  name: string;
  types: DisputeType[];
}

export interface Taxonomy {
  version: number;
  domains: Domain[];
}

export interface Category {
  domain: string;
  /** Second level, null when no lexicon term of the domain's types occurs. */
  type: string | null;
  /** The classifier's probability for the domain (1 when the domain came from a rule). */
  confidence: number;
  /** The lexicon terms that chose the type. */
  terms: string[];
}

export class TaxonomyError extends Error {}

/** Checks a parsed taxonomy; throws TaxonomyError naming the bad entry. */
export function validateTaxonomy(input: unknown): Taxonomy {
  const fail = (where: string, what: string): never => {
    throw new TaxonomyError(`taxonomy ${where}: ${what}`);
  };
  if (typeof input !== 'object' || input === null) return fail('', 'must be a mapping with "domains"');
  const { version, domains } = input as Record<string, unknown>;
  if (!Array.isArray(domains) || domains.length === 0) return fail('domains', 'must be a non-empty list');
  const seen = new Set<string>();
  const out = domains.map((d, i): Domain => {
    const { name, types } = (d ?? {}) as Record<string, unknown>;
    if (typeof name !== 'string' || !name.trim()) return fail(`domains[${i}].name`, 'must be a non-empty string');
    if (seen.has(name)) return fail(`domains[${i}].name`, `duplicate domain ${name}`);
    seen.add(name);
    if (types !== undefined && !Array.isArray(types)) return fail(`domains[${i}].types`, 'must be a list');
    return {
      name,
      types: ((types as unknown[] | undefined) ?? []).map((t, j) => {
        const { name: typeName, terms } = (t ?? {}) as Record<string, unknown>;
        if (typeof typeName !== 'string' || !typeName.trim()) return fail(`domains[${i}].types[${j}].name`, 'must be a non-empty string');
        if (!Array.isArray(terms) || terms.length === 0 || terms.some((x) => typeof x !== 'string' || !x.trim())) {
          return fail(`domains[${i}].types[${j}].terms`, 'must be a non-empty list of strings');
        }
        return { name: typeName, terms: terms as string[] };
      }),
    };
  });
  return { version: typeof version === 'number' ? version : 1, domains: out };
}

export function loadTaxonomy(path: string): Taxonomy {
  return validateTaxonomy(load(readFileSync(path, 'utf8')));
}

/**
 * The taxonomy's distinct terms, indexed by first code unit for counting them all in one pass: a
 * bitset of the first code units (8 KB) turns most characters away, then a table from code unit to
 * its group of terms (term numbers in `groupTerms` from `groupStart[g]` to `groupStart[g + 1]`).
 * Each type's terms are kept as term numbers, in their listed order.
 */
interface TermIndex {
  terms: string[];
  id: Map<string, number>;
  firstBits: Int32Array;
  /** Code unit → group + 1 (0: no term starts with it). */
  groupOf: Uint16Array;
  groupStart: Int32Array;
  groupTerms: Int32Array;
  /** Per domain (in order), per type (in order): the term numbers of its terms, as listed. */
  typeTerms: Int32Array[][];
  /** Scratch for countTerms: where each term may next start (non-overlapping occurrences). */
  nextFree: Int32Array;
}

const termIndexes = new WeakMap<Taxonomy, TermIndex>();

function termIndex(taxonomy: Taxonomy): TermIndex {
  let index = termIndexes.get(taxonomy);
  if (!index) {
    const terms = [...new Set(taxonomyTerms(taxonomy))].filter((t) => t.length > 0);
    const byFirst = new Map<number, number[]>();
    terms.forEach((t, i) => {
      const list = byFirst.get(t.charCodeAt(0));
      if (list) list.push(i);
      else byFirst.set(t.charCodeAt(0), [i]);
    });
    const firstBits = new Int32Array(65536 >>> 5);
    const groupOf = new Uint16Array(65536);
    const groupStart = new Int32Array(byFirst.size + 1);
    const groupTerms = new Int32Array(terms.length);
    let g = 0;
    let at = 0;
    for (const [code, list] of byFirst) {
      firstBits[code >>> 5] |= 1 << (code & 31);
      groupOf[code] = g + 1;
      groupStart[g++] = at;
      for (const t of list) groupTerms[at++] = t;
    }
    groupStart[g] = at;
    const id = new Map(terms.map((t, i) => [t, i]));
    const typeTerms = taxonomy.domains.map((d) => d.types.map((t) => Int32Array.from(t.terms, (term) => id.get(term) ?? -1)));
    index = { terms, id, firstBits, groupOf, groupStart, groupTerms, typeTerms, nextFree: new Int32Array(terms.length) };
    termIndexes.set(taxonomy, index);
  }
  return index;
}

/** Adds `weight` per non-overlapping occurrence (left to right, as repeated indexOf finds them) of every term. */
function countTerms(index: TermIndex, text: string, weight: number, counts: Int32Array): void {
  const { firstBits, groupOf, groupStart, groupTerms, terms, nextFree } = index;
  nextFree.fill(0);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((firstBits[c >>> 5] & (1 << (c & 31))) === 0) continue;
    const g = groupOf[c] - 1;
    for (let q = groupStart[g], end = groupStart[g + 1]; q < end; q++) {
      const t = groupTerms[q];
      if (i >= nextFree[t] && text.startsWith(terms[t], i)) {
        counts[t] += weight;
        nextFree[t] = i + terms[t].length;
      }
    }
  }
}

/**
 * The lexicon terms of a post, counted once for both uses (type within the domain, topics):
 * occurrences in the title count double.
 */
export class TaxonomyMatch {
  private readonly index: TermIndex;
  private readonly counts: Int32Array;

  constructor(
    private readonly taxonomy: Taxonomy,
    title: string,
    body: string,
  ) {
    this.index = termIndex(taxonomy);
    this.counts = new Int32Array(this.index.terms.length);
    countTerms(this.index, title, 2, this.counts);
    countTerms(this.index, body, 1, this.counts);
  }

  /** The count of a term number (-1: an empty term, never counted). */
  private countOf(t: number): number {
    return t === -1 ? 0 : this.counts[t];
  }

  /** 2 × occurrences in the title + occurrences in the body. */
  count(term: string): number {
    const i = this.index.id.get(term);
    return i === undefined ? 0 : this.counts[i];
  }

  /**
   * The second level within a domain: the type whose terms occur most (distinct terms first, then
   * occurrences; a title occurrence counts double); ties go to the type listed first.
   */
  chooseType(domain: string): { type: string | null; terms: string[] } {
    const di = this.taxonomy.domains.findIndex((x) => x.name === domain);
    let best: { type: string; distinct: number; score: number; terms: string[] } | null = null;
    const types = di === -1 ? [] : this.taxonomy.domains[di].types;
    for (let ti = 0; ti < types.length; ti++) {
      const t = types[ti];
      const ids = this.index.typeTerms[di][ti];
      const terms: string[] = [];
      let score = 0;
      for (let q = 0; q < ids.length; q++) {
        const n = this.countOf(ids[q]);
        const term = t.terms[q];
        if (n > 0) {
          terms.push(term);
          score += n;
        }
      }
      if (terms.length && (!best || terms.length > best.distinct || (terms.length === best.distinct && score > best.score))) {
        best = { type: t.name, distinct: terms.length, score, terms };
      }
    }
    return best ? { type: best.type, terms: best.terms } : { type: null, terms: [] };
  }

  /**
   * Every dispute type (of any domain) whose lexicon terms occur, strongest first (distinct terms,
   * then occurrences, title double): what a post is about, for grouping posts into cases.
   */
  topicTypes(max = 3): string[] {
    const scored: { type: string; distinct: number; score: number }[] = [];
    const { domains } = this.taxonomy;
    for (let di = 0; di < domains.length; di++) {
      const types = domains[di].types;
      for (let ti = 0; ti < types.length; ti++) {
        const t = types[ti];
        const ids = this.index.typeTerms[di][ti];
        let distinct = 0;
        let score = 0;
        for (let q = 0; q < ids.length; q++) {
          const n = this.countOf(ids[q]);
          if (n > 0) {
            distinct++;
            score += n;
          }
        }
        if (distinct) scored.push({ type: t.name, distinct, score });
      }
    }
    return scored
      .sort((a, b) => b.distinct - a.distinct || b.score - a.score)
      .slice(0, max)
      .map((x) => x.type);
  }
}

/** See TaxonomyMatch.chooseType. */
export function chooseType(taxonomy: Taxonomy, domain: string, title: string, body: string): { type: string | null; terms: string[] } {
  return new TaxonomyMatch(taxonomy, title, body).chooseType(domain);
}

/** See TaxonomyMatch.topicTypes. */
export function topicTypes(taxonomy: Taxonomy, title: string, body: string, max = 3): string[] {
  return new TaxonomyMatch(taxonomy, title, body).topicTypes(max);
}

/** Every lexicon term (to teach the segmenter). */
export function taxonomyTerms(taxonomy: Taxonomy): string[] {
  return taxonomy.domains.flatMap((d) => d.types.flatMap((t) => t.terms));
}
