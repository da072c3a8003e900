import * as OpenCC from 'opencc-js';
import { DIGITS, parseRegex, RegexCondition, regexCondition, RegexNode } from './dry-run-regex';
import type { RuleExpr, Scope } from './rule-expression';

/**
 * A necessary condition of a rule expression over a post's stored (raw) title and body and its latest analysis,
 * cheap enough for Postgres to check on every stored post: the dry-run only loads, normalises and evaluates the
 * posts that pass it. It must never reject a post the exact evaluation would match; why it does not:
 *
 * The engine matches terms in normalizeText(title) + "\n" + normalizeText(body). A term's occurrence in that text
 * contains an occurrence of each of its "segments": maximal runs of Han characters or of ASCII letters and digits
 * (whitespace and punctuation, which the normaliser collapses, are left out). A segment never spans the title/body
 * separator, so it lies in the normalised title or in the normalised body. Walking the normaliser back:
 * - lower-casing, whitespace and punctuation collapsing, tag removal and named entities never delete a Han
 *   character or an ASCII letter or digit, nor put one where there was none, nor join two runs (tags become spaces);
 * - full-width folding and lower-casing map one character to one (İ gives "i" + a combining dot: still an "i");
 * - traditional → simplified (OpenCC t2s: CJK compatibility ideographs folded, then TSPhrases and TSCharacters)
 *   replaces keys by values of the same length (checked when the tables load), so the raw text holds, at the same
 *   positions, characters each in the preimage of the segment's character (`preimages` inverts those tables);
 * - only zero-width characters are deleted (which could join two runs) and only numeric entities (&#…;) can
 *   produce any character: a post whose raw title or body contains either, or a compatibility ideograph, is
 *   always a candidate (ESCAPE).
 * So a raw column holds one of the variants of any window of the segment (the product of the preimages of its
 * characters; `hanVariants` picks the window), or matches a case/width-insensitive pattern for Latin runs. Each term
 * uses its longest segment. The fast-check property test beside this file checks the claim on
 * random expressions and texts, and a scan over every code point checks that the normaliser deletes nothing else.
 *
 * Conditions: AND → every child's condition, OR → any, NEAR(a, b) → a and b, a regular expression → the literal
 * runs it cannot match without (dry-run-regex.ts), each as a term, NOT x → the negation of x's sufficient condition
 * (below). Category, heat and area ("meta" conditions) and any AND/OR/NOT of them alone are decided exactly in SQL
 * from the post's latest analysis, the same values the evaluator is given (`metaCondition`): they are both the
 * necessary and the sufficient condition.
 */
export type Prefilter =
  | { kind: 'all' }
  | { kind: 'text'; scope: Scope; variants: string[] }
  | { kind: 'pattern'; scope: Scope; source: string }
  | { kind: 'category'; value: string }
  | { kind: 'heat'; op: '>=' | '>' | '<=' | '<' | '='; value: number }
  /** The post's area is one of these (the areas whose chain holds the rule's area id or code). */
  | { kind: 'area'; ids: number[] }
  /** Only over meta conditions (two-valued). */
  | { kind: 'not'; item: Prefilter }
  /** The sufficient condition of x does not hold (from NOT x). */
  | { kind: 'notSure'; sure: SureCondition }
  | { kind: 'and' | 'or'; items: Prefilter[] };

/** Ids of the areas whose chain (the area and every area above it) holds an area id or code; undefined: unknown. */
export type AreaResolver = (value: string) => number[] | undefined;

/** Zero-width characters the normaliser deletes. */
export const ZERO_WIDTH_CHARS = '\u00AD\u200B\u200C\u200D\u200E\u200F\u202A\u202B\u202C\u202D\u202E\u2060\u2061\u2062\u2063\u2064\uFEFF';
/**
 * What makes a post a candidate whatever the rule's terms: a zero-width character, a numeric entity, or a CJK
 * compatibility ideograph (OpenCC folds those into unified ones first; they are rare, and listing them among the
 * variants of every term would double the number of variants to look for).
 */
const ESCAPE_SOURCE = `[${ZERO_WIDTH_CHARS}\uF900-\uFAFF\u{2F800}-\u{2FA1F}]|&#`;
export const ESCAPE = new RegExp(ESCAPE_SOURCE, 'u');

/** At most this many variants (strpos calls per column) for one term. */
const MAX_VARIANTS = 16;
const HAN = /\p{Script=Han}/u;
const LATIN = /^[a-z0-9]$/;

let preimageTable: Map<string, string[]> | undefined;
let unstableChars: Set<string> | undefined;

/** For each character the t2s conversion can output, every character it can come from (itself included). */
function preimageMap(): Map<string, string[]> {
  if (preimageTable) return preimageTable;
  const config = (OpenCC as unknown as { Locale: { configs: Record<string, { normalizationChain: unknown[][]; conversionChain: unknown[][] }> } }).Locale.configs.t2s;
  const pairs = (dicts: unknown[]): [string, string][] =>
    dicts.flatMap((d) => (typeof d === 'string' ? d.split('|').map((line) => line.split(' ') as [string, string]) : (d as [string, string][])));
  const invert = (entries: [string, string][]): Map<string, Set<string>> => {
    const inv = new Map<string, Set<string>>();
    for (const [key, value] of entries) {
      const k = [...key];
      const v = [...(value ?? '')];
      if (k.length !== v.length) throw new Error(`OpenCC t2s entry ${key} → ${value} changes the length: the dry-run prefilter is unsound with it`);
      v.forEach((ch, i) => {
        const set = inv.get(ch) ?? new Set<string>();
        set.add(k[i]);
        inv.set(ch, set);
      });
    }
    return inv;
  };
  // Compatibility ideographs (normalizationChain) are left to ESCAPE; checked here so that a new table is noticed.
  const compat = pairs(config.normalizationChain.flat());
  for (const [key] of compat) if (!ESCAPE.test(key)) throw new Error(`OpenCC compatibility entry ${key} is not covered by the dry-run prefilter`);
  const conversion = pairs(config.conversionChain.flat());
  const ts = invert(conversion);
  const table = new Map<string, string[]>();
  for (const [ch, from] of ts) table.set(ch, [...new Set([ch, ...from])]);
  // Characters some entry changes (where they occur in its key): a literal occurrence of them may not survive.
  unstableChars = new Set<string>();
  for (const [key, value] of [...compat, ...conversion]) {
    const v = [...value];
    [...key].forEach((ch, i) => {
      if (v[i] !== ch) unstableChars!.add(ch);
    });
  }
  preimageTable = table;
  return table;
}

/** Raw characters that normalise to `ch` (a Han character or an ASCII lower-case letter or digit). */
export function preimages(ch: string): string[] {
  if (LATIN.test(ch)) {
    const out = [ch, ch.toUpperCase(), String.fromCharCode(ch.charCodeAt(0) + 0xfee0), String.fromCharCode(ch.toUpperCase().charCodeAt(0) + 0xfee0)];
    if (ch === 'k') out.push('\u212A');
    if (ch === 'i') out.push('\u0130');
    return [...new Set(out)];
  }
  return preimageMap().get(ch) ?? [ch];
}

function segments(term: string): { han: boolean; chars: string[] }[] {
  const out: { han: boolean; chars: string[] }[] = [];
  for (const ch of term) {
    const han = HAN.test(ch);
    if (!han && !LATIN.test(ch)) {
      out.push({ han: false, chars: [] });
      continue;
    }
    const last = out[out.length - 1];
    if (last && last.chars.length && last.han === han) last.chars.push(ch);
    else out.push({ han, chars: [ch] });
  }
  return out.filter((s) => s.chars.length);
}

/**
 * The window of a Han segment Postgres looks for, and its variants: of the windows of at least two characters (a
 * one-character segment: that character), the one with the fewest variants, the longest among those. Each variant
 * is one more full scan of the text, and two characters are already selective in Chinese.
 */
function hanVariants(chars: string[]): string[] {
  const pre = chars.map(preimages);
  const min = Math.min(2, chars.length);
  let best: [number, number] | null = null;
  let bestProduct = Infinity;
  for (let i = 0; i < chars.length; i++) {
    let product = 1;
    for (let j = i; j < chars.length; j++) {
      product *= pre[j].length;
      if (product > MAX_VARIANTS) break;
      const length = j + 1 - i;
      if (length < min) continue;
      if (!best || product < bestProduct || (product === bestProduct && length > best[1] - best[0])) [best, bestProduct] = [[i, j + 1], product];
    }
  }
  // Every window of two is over the limit (never with OpenCC's tables): one character.
  best ??= [0, 1];
  let variants = [''];
  for (const options of pre.slice(best[0], best[1])) variants = variants.flatMap((v) => options.map((o) => v + o));
  return variants;
}

function escapeClassChar(ch: string): string {
  return /[\\\]\[^-]/.test(ch) ? `\\${ch}` : ch;
}

/**
 * A bracket expression for Postgres and JavaScript matching exactly these characters; runs of three or more
 * consecutive code points become ranges (both engines compare code points in ranges, whatever the collation), which
 * keeps the patterns of classes such as [a-z] short.
 */
export function classSource(chars: Iterable<string>): string {
  const cps = [...new Set(chars)].map((c) => c.codePointAt(0)!).sort((a, b) => a - b);
  let out = '';
  for (let i = 0; i < cps.length; ) {
    let j = i;
    // Only between characters that need no escaping (an escaped range end reads differently in the two engines).
    const plain = (k: number) => escapeClassChar(String.fromCodePoint(cps[k])).length === 1;
    while (plain(i) && j + 1 < cps.length && cps[j + 1] === cps[j] + 1 && plain(j + 1)) j++;
    const [lo, hi] = [escapeClassChar(String.fromCodePoint(cps[i])), escapeClassChar(String.fromCodePoint(cps[j]))];
    out += j - i >= 2 ? `${lo}-${hi}` : cps.slice(i, j + 1).map((cp) => escapeClassChar(String.fromCodePoint(cp))).join('');
    i = j + 1;
  }
  return `[${out}]`;
}

function termCondition(term: string, scope: Scope): Prefilter {
  let best: Prefilter = { kind: 'all' };
  let bestScore = 0;
  for (const seg of segments(term)) {
    if (seg.han) {
      const variants = hanVariants(seg.chars);
      const score = variants[0].length * 2;
      if (score > bestScore) [best, bestScore] = [{ kind: 'text', scope, variants }, score];
    } else {
      // Latin letters and digits: a pattern of character classes (upper case, full width, Kelvin sign, dotted I).
      const score = seg.chars.length;
      if (score > bestScore) [best, bestScore] = [{ kind: 'pattern', scope, source: seg.chars.map((c) => classSource(preimages(c))).join('') }, score];
    }
  }
  return best;
}

function simplify(kind: 'and' | 'or', items: Prefilter[]): Prefilter {
  const seen = new Set<string>();
  const flat = items
    .flatMap((i) => (i.kind === kind ? (i as { items: Prefilter[] }).items : [i]))
    .filter((i) => {
      const key = JSON.stringify(i);
      return seen.has(key) ? false : (seen.add(key), true);
    });
  if (kind === 'and') {
    const kept = flat.filter((i) => i.kind !== 'all');
    if (kept.length === 0) return { kind: 'all' };
    return kept.length === 1 ? kept[0] : { kind, items: kept.sort((a, b) => cost(a) - cost(b)) };
  }
  if (flat.some((i) => i.kind === 'all') || flat.length === 0) return { kind: 'all' };
  return flat.length === 1 ? flat[0] : { kind, items: flat.sort((a, b) => cost(a) - cost(b)) };
}

/** Rough evaluation cost, to check cheap conditions first (Postgres evaluates AND/OR left to right). */
function cost(p: Prefilter): number {
  switch (p.kind) {
    case 'category':
    case 'heat':
    case 'area':
      return 0;
    case 'not':
      return cost(p.item);
    case 'notSure':
      return 20;
    case 'text':
      return (p.scope === 'any' ? 2 : 1) * p.variants.length;
    case 'pattern':
      return (p.scope === 'any' ? 2 : 1) * 8;
    case 'and':
    case 'or':
      return p.items.reduce((s, i) => s + cost(i), 0);
    default:
      return 0;
  }
}

/**
 * The exact condition of an expression made only of category, heat and area conditions (AND, OR, NOT), or null.
 * Areas need `areas`; without it an area condition is not exact.
 */
export function metaCondition(expr: RuleExpr, areas?: AreaResolver): Prefilter | null {
  switch (expr.type) {
    case 'category':
      return { kind: 'category', value: expr.value };
    case 'heat':
      return { kind: 'heat', op: expr.op, value: expr.value };
    case 'area': {
      const ids = areas?.(expr.value);
      return ids ? { kind: 'area', ids: [...ids].sort((a, b) => a - b) } : null;
    }
    case 'not': {
      const item = metaCondition(expr.item, areas);
      return item && { kind: 'not', item };
    }
    case 'and':
    case 'or': {
      const items = expr.items.map((i) => metaCondition(i, areas));
      if (items.some((i) => i === null)) return null;
      return simplify(expr.type, items as Prefilter[]);
    }
    default:
      return null;
  }
}

/**
 * A run of the regex (consecutive characters of the normalised text, each from a set): cut into segments where a
 * set holds something else than Han characters and ASCII letters and digits (those the normaliser may drop or
 * change around). A segment of single characters is a term; one with a class (\d) is a pattern of the preimages of
 * each position (adjacent Han, letters and digits of the normalised text are adjacent in the raw text: only other
 * characters are deleted, and zero-width characters and entities are left to ESCAPE), with the terms of its
 * single-character stretches checked first (strpos is cheaper than a regex).
 */
function runPrefilter(sets: string[][], scope: Scope): Prefilter {
  const out: Prefilter[] = [];
  const segment = (seg: string[][]) => {
    if (!seg.length) return;
    let literal = '';
    for (const set of [...seg, []]) {
      if (set.length === 1) literal += set[0];
      else {
        if (literal) out.push(termCondition(literal, scope));
        literal = '';
      }
    }
    if (seg.some((set) => set.length > 1) && seg.length > 1) {
      const source = seg.map((set) => classSource(set.flatMap(preimages))).join('');
      out.push({ kind: 'pattern', scope, source });
    }
  };
  let current: string[][] = [];
  for (const set of sets) {
    if (set.every((ch) => HAN.test(ch) || LATIN.test(ch))) current.push(set);
    else {
      segment(current);
      current = [];
    }
  }
  segment(current);
  return simplify('and', out);
}

function regexPrefilter(c: RegexCondition, scope: Scope): Prefilter {
  switch (c.kind) {
    case 'run':
      return runPrefilter(c.sets, scope);
    case 'and':
    case 'or':
      return simplify(c.kind, c.items.map((i) => regexPrefilter(i, scope)));
    default:
      return { kind: 'all' };
  }
}

/**
 * A Postgres regex that, found in a raw column without markup or entities ("<", "&"), proves the rule's regex
 * matches the normalised text, or null. Only for regexes of literal characters the normaliser leaves alone (stable
 * Han characters, ASCII digits and lower-case letters), \d (as [0-9]), classes of such characters, groups,
 * alternation and counted repetition:
 * their meaning is the same in both engines, and with no anchors, other classes or lookarounds it does not depend on the
 * text around. Such a substring of the raw column is in the normalised column unchanged (nothing inside it is
 * deleted, converted or collapsed), and the regex cannot match across the title/body newline. A regex that can
 * match the empty string is left out (the evaluator skips empty matches).
 */
export function regexSureSource(source: string, flags: string): string | null {
  const node = parseRegex(source, flags);
  if (!node) return null;
  preimageMap();
  const render = (n: RegexNode): { src: string; min: number } | null => {
    switch (n.t) {
      case 'char': {
        const ok = n.exact && ((HAN.test(n.c) && !unstableChars!.has(n.c)) || (LATIN.test(n.c) && !unstableChars!.has(n.c)));
        return ok ? { src: n.c, min: 1 } : null;
      }
      case 'digit':
        return DIGITS.some((d) => unstableChars!.has(d)) ? null : { src: '[0-9]', min: 1 };
      case 'set': {
        const ok = n.chars.every((c) => (HAN.test(c) || LATIN.test(c)) && !unstableChars!.has(c));
        return ok ? { src: classSource(n.chars), min: 1 } : null;
      }
      case 'cat': {
        const items = n.items.map(render);
        if (!items.length || items.some((i) => i === null)) return null;
        return { src: items.map((i) => i!.src).join(''), min: items.reduce((s, i) => s + i!.min, 0) };
      }
      case 'alt': {
        const items = n.items.map(render);
        if (items.some((i) => i === null)) return null;
        return { src: `(?:${items.map((i) => i!.src).join('|')})`, min: Math.min(...items.map((i) => i!.min)) };
      }
      case 'rep': {
        const item = render(n.item);
        if (!item || n.min > 255 || (n.max !== Infinity && n.max > 255)) return null;
        const count = n.max === Infinity ? (n.min === 0 ? '*' : n.min === 1 ? '+' : `{${n.min},}`) : n.min === n.max ? `{${n.min}}` : `{${n.min},${n.max}}`;
        return { src: `(?:${item.src})${count}`, min: n.min * item.min };
      }
      default:
        return null;
    }
  };
  const out = render(node);
  return out && out.min > 0 ? out.src : null;
}

/** The necessary condition of an expression (see the top of this file). */
export function derivePrefilter(expr: RuleExpr, areas?: AreaResolver): Prefilter {
  const meta = metaCondition(expr, areas);
  if (meta) return meta;
  switch (expr.type) {
    case 'term':
      return termCondition(expr.term, expr.scope);
    case 'regex':
      return regexPrefilter(regexCondition(expr.source, expr.flags), expr.scope);
    case 'near':
      return simplify('and', [derivePrefilter(expr.left, areas), derivePrefilter(expr.right, areas)]);
    case 'and':
      return simplify('and', expr.items.map((i) => derivePrefilter(i, areas)));
    case 'or':
      return simplify('or', expr.items.map((i) => derivePrefilter(i, areas)));
    case 'not': {
      const sure = deriveSure(expr.item, areas);
      return sure.kind === 'none' ? { kind: 'all' } : { kind: 'notSure', sure };
    }
    default:
      return { kind: 'all' };
  }
}

/** Whether the condition needs the post's latest analysis (category, heat or area). */
export function usesAnalysis(p: Prefilter): boolean {
  if (p.kind === 'category' || p.kind === 'heat' || p.kind === 'area') return true;
  if (p.kind === 'not') return usesAnalysis(p.item);
  if (p.kind === 'notSure') return sureUsesAnalysis(p.sure);
  return (p.kind === 'and' || p.kind === 'or') && p.items.some(usesAnalysis);
}

/** Whether checking the condition runs a Postgres regex (a pattern, or a regex in a negated sufficient condition). */
export function hasPattern(p: Prefilter): boolean {
  if (p.kind === 'pattern') return true;
  if (p.kind === 'not') return hasPattern(p.item);
  if (p.kind === 'notSure') return sureHasRegex(p.sure);
  return (p.kind === 'and' || p.kind === 'or') && p.items.some(hasPattern);
}

function sureHasRegex(s: SureCondition): boolean {
  if (s.kind === 'regex') return true;
  if (s.kind === 'exact') return hasPattern(s.cond);
  if (s.kind === 'not') return hasPattern(s.necessary);
  return (s.kind === 'and' || s.kind === 'or') && s.items.some(sureHasRegex);
}

/** Whether a text condition occurs anywhere (then posts with zero-width characters or numeric entities pass too). */
function hasText(p: Prefilter): boolean {
  if (p.kind === 'text' || p.kind === 'pattern') return true;
  return (p.kind === 'and' || p.kind === 'or') && p.items.some(hasText);
}

/**
 * The condition as SQL over `title` and `body` of the posts alias and, when `usesAnalysis`, the analysis alias
 * (domain, dispute_type, heat_score); values go to `params`. Null when there is no constraint.
 */
export function prefilterSql(p: Prefilter, params: unknown[], alias = { post: 'p', analysis: 'a' }): string | null {
  if (p.kind === 'all') return null;
  const refs = new Map<unknown, string>();
  const param = (value: unknown) => {
    let ref = refs.get(value);
    if (!ref) {
      params.push(value);
      refs.set(value, (ref = `$${params.length}`));
    }
    return ref;
  };
  const columns = (scope: Scope) => (scope === 'any' ? ['title', 'body'] : [scope]).map((c) => `${alias.post}.${c}`);
  const render = (q: Prefilter): string => {
    switch (q.kind) {
      case 'text':
        return `(${columns(q.scope)
          .flatMap((c) => q.variants.map((v) => `strpos(${c}, ${param(v)}) > 0`))
          .join(' OR ')})`;
      case 'pattern': {
        const ref = param(q.source);
        return `(${columns(q.scope)
          .map((c) => `${c} ~ ${ref}`)
          .join(' OR ')})`;
      }
      case 'category':
      case 'heat':
      case 'area':
        return metaSql(q, param, alias.analysis);
      case 'not':
        return `(NOT ${render(q.item)})`;
      case 'notSure':
        return `(NOT coalesce(${sureSql(q.sure, params, alias) ?? 'false'}, false))`;
      case 'and':
      case 'or':
        return `(${q.items.map(render).join(q.kind === 'and' ? ' AND ' : ' OR ')})`;
      default:
        return 'true';
    }
  };
  const condition = render(p);
  if (!hasText(p)) return condition;
  // posts.text_escape is ESCAPE over title and body, kept by a trigger (migration 1764700000020).
  return `(${condition} OR ${alias.post}.text_escape)`;
}

/**
 * Category, heat and area on the latest analysis (`a`), two-valued, exactly as the evaluator sees them: a post
 * without an analysis has no category or area and heat 0; heat is a real (float4) column that the driver hands to
 * the evaluator as the double nearest to its shortest decimal text, which is what `::text::float8` computes in SQL
 * (same output function and settings; NaN compares false in JavaScript, so it is excluded).
 */
function metaSql(q: Extract<Prefilter, { kind: 'category' | 'heat' | 'area' }>, param: (value: unknown) => string, a: string): string {
  switch (q.kind) {
    case 'category': {
      const ref = param(q.value);
      return `(${a}.domain IS NOT DISTINCT FROM ${ref}::text OR ${a}.dispute_type IS NOT DISTINCT FROM ${ref}::text)`;
    }
    case 'heat': {
      const h = `coalesce(${a}.heat_score, 0)`;
      return `(${h}::text::float8 ${q.op} ${param(q.value)}::float8 AND ${h} <> 'NaN'::real)`;
    }
    case 'area':
      return `coalesce(${a}.area_id = ANY(${param(q.ids)}::int[]), false)`;
  }
}

/** The heat the evaluator is given for a stored real: the double nearest to the shortest decimal that gives it back. */
export function storedHeat(value: number): number {
  const f = Math.fround(value);
  if (!Number.isFinite(f)) return f;
  for (let digits = 1; digits <= 9; digits++) {
    const shortest = Number(f.toPrecision(digits));
    if (Math.fround(shortest) === f) return shortest;
  }
  return f;
}

function metaValue(q: Extract<Prefilter, { kind: 'category' | 'heat' | 'area' }>, post: RawPost): boolean {
  switch (q.kind) {
    case 'category':
      return post.domain === q.value || post.disputeType === q.value;
    case 'heat': {
      const h = storedHeat(post.heat ?? 0);
      return q.op === '>=' ? h >= q.value : q.op === '>' ? h > q.value : q.op === '<=' ? h <= q.value : q.op === '<' ? h < q.value : h === q.value;
    }
    case 'area':
      return post.areaId != null && q.ids.includes(post.areaId);
  }
}

type RawPost = { title: string; body: string; domain?: string | null; disputeType?: string | null; heat?: number | null; areaId?: number | null };

/** What the SQL condition computes, in JavaScript, in SQL's three-valued logic (null: a missing category). For tests. */
export function prefilterValue(p: Prefilter, post: RawPost): boolean | null {
  const cols = (scope: Scope) => (scope === 'any' ? [post.title, post.body] : scope === 'title' ? [post.title] : [post.body]);
  const or = (values: (boolean | null)[]) => (values.includes(true) ? true : values.includes(null) ? null : false);
  const and = (values: (boolean | null)[]) => (values.includes(false) ? false : values.includes(null) ? null : true);
  const test = (q: Prefilter): boolean | null => {
    switch (q.kind) {
      case 'all':
        return true;
      case 'text':
        return cols(q.scope).some((c) => q.variants.some((v) => c.includes(v)));
      case 'pattern': {
        const re = new RegExp(q.source, 'u');
        return cols(q.scope).some((c) => re.test(c));
      }
      case 'category':
      case 'heat':
      case 'area':
        return metaValue(q, post);
      case 'not': {
        const v = test(q.item);
        return v === null ? null : !v;
      }
      case 'notSure':
        return !sureAccepts(q.sure, post);
      case 'and':
        return and(q.items.map(test));
      case 'or':
        return or(q.items.map(test));
    }
  };
  if (!hasText(p)) return test(p);
  return or([test(p), ESCAPE.test(post.title), ESCAPE.test(post.body)]);
}

/** Whether a post passes the SQL condition (null does not), in JavaScript (for tests). */
export function prefilterAccepts(p: Prefilter, post: RawPost): boolean {
  return prefilterValue(p, post) === true;
}

/**
 * A sufficient condition: when it holds, the exact evaluation matches, so a post past the sample of hits is counted
 * without loading its text. A term is sure when it occurs literally in a raw column without markup ("<"), and
 * every character of it is Han and left alone by every OpenCC entry (no other step of the normaliser changes,
 * deletes, or inserts anything inside a run of such characters; entities are ASCII). AND → all, OR → any,
 * NOT x → x's necessary condition is false, meta conditions (category, heat, area and AND/OR/NOT of them) → their
 * exact condition; NEAR and regexes → never sure (the post is then evaluated in Node).
 */
export type SureCondition =
  | { kind: 'none' }
  | { kind: 'literal'; scope: Scope; term: string }
  /** A Postgres (and JavaScript) regex found in a raw column without "<" or "&" (`regexSureSource`). */
  | { kind: 'regex'; scope: Scope; source: string; necessary: Prefilter }
  | { kind: 'exact'; cond: Prefilter }
  | { kind: 'not'; necessary: Prefilter }
  | { kind: 'and' | 'or'; items: SureCondition[] };

/** A weaker condition: patterns (Postgres regexes) dropped, strpos terms kept. */
function withoutPatterns(p: Prefilter): Prefilter {
  if (p.kind === 'pattern') return { kind: 'all' };
  if (p.kind === 'and' || p.kind === 'or') return simplify(p.kind, p.items.map(withoutPatterns));
  return p;
}

function stableTerm(term: string): boolean {
  preimageMap();
  return term.length > 0 && [...term].every((ch) => HAN.test(ch) && !unstableChars!.has(ch));
}

export function deriveSure(expr: RuleExpr, areas?: AreaResolver): SureCondition {
  const meta = metaCondition(expr, areas);
  if (meta) return { kind: 'exact', cond: meta };
  switch (expr.type) {
    case 'term':
      return stableTerm(expr.term) ? { kind: 'literal', scope: expr.scope, term: expr.term } : { kind: 'none' };
    case 'regex': {
      const source = regexSureSource(expr.source, expr.flags);
      // The strpos part of the regex's necessary condition is checked first: much cheaper than Postgres's regex engine.
      return source === null ? { kind: 'none' } : { kind: 'regex', scope: expr.scope, source, necessary: withoutPatterns(derivePrefilter(expr, areas)) };
    }
    case 'and': {
      const items = expr.items.map((i) => deriveSure(i, areas));
      return items.some((i) => i.kind === 'none') ? { kind: 'none' } : { kind: 'and', items };
    }
    case 'or': {
      const items = expr.items.map((i) => deriveSure(i, areas)).filter((i) => i.kind !== 'none');
      return items.length === 0 ? { kind: 'none' } : items.length === 1 ? items[0] : { kind: 'or', items };
    }
    case 'not': {
      const necessary = derivePrefilter(expr.item, areas);
      return necessary.kind === 'all' ? { kind: 'none' } : { kind: 'not', necessary };
    }
    default:
      return { kind: 'none' };
  }
}

/** Whether the sufficient condition needs the post's latest analysis. */
export function sureUsesAnalysis(s: SureCondition): boolean {
  if (s.kind === 'exact') return usesAnalysis(s.cond);
  if (s.kind === 'not') return usesAnalysis(s.necessary);
  return (s.kind === 'and' || s.kind === 'or') && s.items.some(sureUsesAnalysis);
}

/** The sufficient condition as SQL (true, false or null; only true counts), or null when it never holds. */
export function sureSql(s: SureCondition, params: unknown[], alias = { post: 'p', analysis: 'a' }): string | null {
  if (s.kind === 'none') return null;
  const param = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const columns = (scope: Scope) => (scope === 'any' ? ['title', 'body'] : [scope]).map((c) => `${alias.post}.${c}`);
  const render = (q: SureCondition): string => {
    switch (q.kind) {
      case 'literal': {
        const ref = param(q.term);
        return `(${columns(q.scope)
          .map((c) => `(strpos(${c}, ${ref}) > 0 AND strpos(${c}, '<') = 0)`)
          .join(' OR ')})`;
      }
      case 'regex': {
        const guard = prefilterSql(q.necessary, params, alias);
        const ref = param(q.source);
        return `(${guard ? `${guard} AND ` : ''}(${columns(q.scope)
          .map((c) => `(${c} ~ ${ref} AND strpos(${c}, '<') = 0 AND strpos(${c}, '&') = 0)`)
          .join(' OR ')}))`;
      }
      case 'exact':
        return prefilterSql(q.cond, params, alias) ?? 'true';
      case 'not':
        return `(NOT ${prefilterSql(q.necessary, params, alias)})`;
      case 'and':
      case 'or':
        return `(${q.items.map(render).join(q.kind === 'and' ? ' AND ' : ' OR ')})`;
      default:
        return 'false';
    }
  };
  return render(s);
}

/** What the SQL sufficient condition computes, in JavaScript (for tests; SQL null counts as false). */
export function sureAccepts(s: SureCondition, post: RawPost): boolean {
  const cols = (scope: Scope) => (scope === 'any' ? [post.title, post.body] : scope === 'title' ? [post.title] : [post.body]);
  switch (s.kind) {
    case 'none':
      return false;
    case 'literal':
      return cols(s.scope).some((c) => c.includes(s.term) && !c.includes('<'));
    case 'regex': {
      const re = new RegExp(s.source, 'u');
      return cols(s.scope).some((c) => re.test(c) && !c.includes('<') && !c.includes('&'));
    }
    case 'exact':
      return prefilterValue(s.cond, post) === true;
    case 'not':
      // NOT null is null, which is not true.
      return prefilterValue(s.necessary, post) === false;
    case 'and':
      return s.items.every((i) => sureAccepts(i, post));
    case 'or':
      return s.items.some((i) => sureAccepts(i, post));
  }
}
