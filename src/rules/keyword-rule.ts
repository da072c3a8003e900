/**
 * The first kind of warning rule: keyword groups in conjunctive form.
 *
 * A post matches when every group in `all` has at least one of its terms in the text and no term of
 * `none` occurs. Terms are matched on normalised text (see analysis/text-normalizer.ts), so rules are
 * written in simplified Chinese with half-width characters.
 */
export interface KeywordRuleDefinition {
  /** Groups of synonyms; each group must be present. */
  all: string[][];
  /** Exclusions: any of these terms suppresses the rule (ads, recruitment, second-hand sales…). */
  none?: string[];
}

export interface TermHit {
  term: string;
  /** Offset in UTF-16 code units within the normalised text, as String.prototype.indexOf reports it. */
  start: number;
  end: number;
}

export interface KeywordRuleMatch {
  matched: boolean;
  /** Every occurrence of every term of the groups that matched (empty when the rule did not match). */
  hits: TermHit[];
}

export class KeywordRuleError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** Checks a definition's shape; throws KeywordRuleError naming the offending field. */
export function validateKeywordRule(input: unknown): KeywordRuleDefinition {
  if (typeof input !== 'object' || input === null) {
    throw new KeywordRuleError('definition', 'definition must be an object with "all" (and optionally "none")');
  }
  const { all, none } = input as Record<string, unknown>;
  if (!Array.isArray(all) || all.length === 0) {
    throw new KeywordRuleError('definition.all', 'definition.all must be a non-empty list of term groups');
  }
  all.forEach((group, i) => {
    if (!Array.isArray(group) || group.length === 0) {
      throw new KeywordRuleError(`definition.all[${i}]`, `definition.all[${i}] must be a non-empty list of terms`);
    }
    group.forEach((term, j) => assertTerm(term, `definition.all[${i}][${j}]`));
  });
  if (none !== undefined) {
    if (!Array.isArray(none)) throw new KeywordRuleError('definition.none', 'definition.none must be a list of terms');
    none.forEach((term, j) => assertTerm(term, `definition.none[${j}]`));
  }
  return { all: all as string[][], none: (none as string[] | undefined) ?? [] };
}

function assertTerm(term: unknown, field: string): void {
  if (typeof term !== 'string' || term.trim() === '') {
    throw new KeywordRuleError(field, `${field} must be a non-empty string`);
  }
}

/** Every occurrence of `term` in `text`. */
export function findTerm(text: string, term: string): TermHit[] {
  const hits: TermHit[] = [];
  for (let at = text.indexOf(term); at !== -1; at = text.indexOf(term, at + term.length)) {
    hits.push({ term, start: at, end: at + term.length });
  }
  return hits;
}

export function matchKeywordRule(rule: KeywordRuleDefinition, text: string): KeywordRuleMatch {
  if ((rule.none ?? []).some((term) => text.includes(term))) return { matched: false, hits: [] };
  const hits: TermHit[] = [];
  for (const group of rule.all) {
    const groupHits = group.flatMap((term) => findTerm(text, term));
    if (groupHits.length === 0) return { matched: false, hits: [] };
    hits.push(...groupHits);
  }
  hits.sort((a, b) => a.start - b.start || b.end - a.end);
  return { matched: true, hits };
}
