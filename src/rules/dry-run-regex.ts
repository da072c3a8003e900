/**
 * Literal strings a JavaScript regular expression cannot match without: what the dry-run prefilter looks for in
 * the stored text when a rule has a regular expression (dry-run-prefilter.ts turns each into a term condition).
 *
 * The regex is parsed into a small tree (characters, "anything else" atoms, concatenation, alternation,
 * repetition); each node gives a necessary condition: a match of a concatenation contains, contiguously, every run
 * of consecutive literal characters; an alternation needs one of its branches; a repetition with a minimum of 0
 * needs nothing. \d and small classes of literal characters and ranges ([a-z], [0-9a-f]) are sets of characters.
 * Anything else not understood (other classes, escapes, lookarounds, back-references, unknown
 * syntax) is an atom that matches some unknown text: it only ends a literal run, so it weakens the condition and
 * never makes it wrong. A regex the parser does not accept at all gives no condition.
 *
 * Letters: the text is lower case, so a literal letter is looked for in lower case; with the `i` flag and `u`,
 * case folding makes "k" match the Kelvin sign and "s" the long s, so those two are atoms then.
 */
export type RegexCondition =
  | { kind: 'all' }
  /** Consecutive characters of the normalised text, each one of a set (a literal: one character; \d: ten). */
  | { kind: 'run'; sets: string[][] }
  | { kind: 'and' | 'or'; items: RegexCondition[] };

export const DIGITS = [...'0123456789'];

export type RegexNode =
  /** `exact`: the text character must be `c` itself (false for an upper-case letter, looked for in lower case). */
  | { t: 'char'; c: string; exact: boolean }
  /** \d: an ASCII digit (also with the u flag). */
  | { t: 'digit' }
  /** A class of a few characters ([a-z], [0-9a-f], [物业]) as the normalised text can hold them (lower case). */
  | { t: 'set'; chars: string[] }
  | { t: 'atom' }
  | { t: 'cat'; items: RegexNode[] }
  | { t: 'alt'; items: RegexNode[] }
  | { t: 'rep'; min: number; max: number; item: RegexNode };
type Node = RegexNode;

class RegexParseError extends Error {}

class Parser {
  private pos = 0;

  constructor(
    private readonly src: string,
    private readonly unicode: boolean,
    private readonly ignoreCase: boolean,
  ) {}

  parse(): Node {
    const node = this.alternation();
    if (this.pos < this.src.length) throw new RegexParseError(`unexpected ${this.src[this.pos]}`);
    return node;
  }

  private alternation(): Node {
    const items = [this.concatenation()];
    while (this.src[this.pos] === '|') {
      this.pos++;
      items.push(this.concatenation());
    }
    return items.length === 1 ? items[0] : { t: 'alt', items };
  }

  private concatenation(): Node {
    const items: Node[] = [];
    while (this.pos < this.src.length && this.src[this.pos] !== '|' && this.src[this.pos] !== ')') {
      const atom = this.atom();
      items.push(this.quantified(atom));
    }
    return { t: 'cat', items };
  }

  private quantified(atom: Node): Node {
    const ch = this.src[this.pos];
    let min: number | null = null;
    let max = Infinity;
    if (ch === '*') min = 0;
    else if (ch === '?') [min, max] = [0, 1];
    else if (ch === '+') min = 1;
    else if (ch === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.pos));
      if (m) {
        this.pos += m[0].length - 1;
        min = Number(m[1]);
        max = m[2] === undefined ? min : m[3] ? Number(m[3]) : Infinity;
      } else if (this.unicode) throw new RegexParseError('bad quantifier');
      else return atom; // a literal "{" in non-Unicode mode (parsed as the next atom)
    }
    if (min === null) return atom;
    this.pos++;
    if (this.src[this.pos] === '?') this.pos++;
    if (this.src[this.pos] && '*+?'.includes(this.src[this.pos])) throw new RegexParseError('nothing to repeat');
    return { t: 'rep', min, max, item: atom };
  }

  private atom(): Node {
    const ch = this.src[this.pos];
    if (ch === '(') {
      this.pos++;
      if (this.src.startsWith('?:', this.pos)) this.pos += 2;
      else if (this.src.startsWith('?=', this.pos) || this.src.startsWith('?!', this.pos) || this.src.startsWith('?<=', this.pos) || this.src.startsWith('?<!', this.pos)) {
        // Lookarounds match no text here: their content is skipped.
        this.pos += this.src[this.pos + 1] === '<' ? 3 : 2;
        this.alternation();
        this.expect(')');
        return { t: 'atom' };
      } else if (this.src.startsWith('?<', this.pos)) {
        const end = this.src.indexOf('>', this.pos);
        if (end < 0) throw new RegexParseError('bad group name');
        this.pos = end + 1;
      } else if (this.src[this.pos] === '?') throw new RegexParseError('unknown group');
      const inner = this.alternation();
      this.expect(')');
      return inner;
    }
    if (ch === '[') {
      // [0-9] is \d; small classes of literal characters and ranges are sets; other classes are atoms.
      if (this.src.startsWith('[0-9]', this.pos)) {
        this.pos += 5;
        return { t: 'digit' };
      }
      const start = this.pos;
      this.pos++;
      if (this.src[this.pos] === '^') this.pos++;
      // A "]" right after "[" closes an empty class in JavaScript.
      while (this.pos < this.src.length && this.src[this.pos] !== ']') this.pos += this.src[this.pos] === '\\' ? 2 : 1;
      this.expect(']');
      const chars = this.classChars(this.src.slice(start + 1, this.pos - 1));
      return chars ? { t: 'set', chars } : { t: 'atom' };
    }
    if (ch === '\\') return this.escape();
    if (ch === '.' || ch === '^' || ch === '$') {
      this.pos++;
      return { t: 'atom' };
    }
    if (ch === '*' || ch === '+' || ch === '?') throw new RegexParseError('nothing to repeat');
    const cp = this.unicode ? this.src.codePointAt(this.pos)! : this.src.charCodeAt(this.pos);
    const c = String.fromCodePoint(cp);
    this.pos += this.unicode ? c.length : 1;
    return this.literal(this.unicode ? c : this.src[this.pos - 1]);
  }

  private escape(): Node {
    this.pos++;
    const ch = this.src[this.pos];
    if (ch === undefined) throw new RegexParseError('trailing backslash');
    this.pos++;
    if (ch === 'u') {
      const m = /^\{([0-9a-fA-F]{1,6})\}/.exec(this.src.slice(this.pos));
      if (this.unicode && m) {
        this.pos += m[0].length;
        return this.literal(String.fromCodePoint(parseInt(m[1], 16)));
      }
      const h = /^[0-9a-fA-F]{4}/.exec(this.src.slice(this.pos));
      if (h) {
        this.pos += 4;
        // A surrogate (half of a pair) is an atom.
        return this.literal(String.fromCharCode(parseInt(h[0], 16)));
      }
      return { t: 'atom' };
    }
    if (ch === 'x') {
      const h = /^[0-9a-fA-F]{2}/.exec(this.src.slice(this.pos));
      if (h) {
        this.pos += 2;
        return this.literal(String.fromCharCode(parseInt(h[0], 16)));
      }
      return { t: 'atom' };
    }
    if (ch === 'p' || ch === 'P' || ch === 'k') {
      const close = ch === 'k' ? '>' : '}';
      if (this.src[this.pos] === (ch === 'k' ? '<' : '{')) {
        const end = this.src.indexOf(close, this.pos);
        if (end < 0) throw new RegexParseError('bad escape');
        this.pos = end + 1;
      }
      return { t: 'atom' };
    }
    if (ch === 'c') {
      if (/[a-zA-Z]/.test(this.src[this.pos] ?? '')) this.pos++;
      return { t: 'atom' };
    }
    if (/[0-9]/.test(ch)) {
      while (/[0-9]/.test(this.src[this.pos] ?? '')) this.pos++;
      return { t: 'atom' };
    }
    if (ch === 'd') return { t: 'digit' };
    // Other letter escapes are classes, assertions or control characters; anything else stands for itself.
    if (/[a-zA-Z]/.test(ch)) return { t: 'atom' };
    return this.literal(ch);
  }

  /**
   * The characters of the normalised text a class (its text between the brackets) can match, or null when the class
   * is not understood here or is too large: negated classes, escapes other than \d and escaped punctuation, and with
   * the i flag any letter outside ASCII (case folding) or, with u as well, k and s (the Kelvin sign and long s fold
   * to them). Upper-case ASCII letters never occur in the normalised text: they are dropped (with i, lower-cased).
   */
  private classChars(body: string): string[] | null {
    if (body === '' || body[0] === '^') return null;
    // Each item: a character (escaped: never a range's hyphen) or \d.
    const items: { c: string; escaped: boolean }[] = [];
    for (let i = 0; i < body.length; ) {
      if (body[i] === '\\') {
        const e = body[i + 1];
        if (e === 'd') items.push({ c: 'digits', escaped: true });
        else if (e === undefined || /[a-zA-Z0-9]/.test(e)) return null;
        else items.push({ c: e, escaped: true });
        i += 2;
        continue;
      }
      const c = this.unicode ? String.fromCodePoint(body.codePointAt(i)!) : body[i];
      if (c.length === 1 && c >= '\uD800' && c <= '\uDFFF') return null;
      items.push({ c, escaped: false });
      i += c.length;
    }
    const out = new Set<string>();
    const isDigits = (item: { c: string; escaped: boolean }) => item.escaped && item.c === 'digits';
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (isDigits(item)) {
        DIGITS.forEach((d) => out.add(d));
        continue;
      }
      const dash = items[i + 1];
      if (dash && !dash.escaped && dash.c === '-' && i + 2 < items.length) {
        const end = items[i + 2];
        if (isDigits(end)) return null;
        const [lo, hi] = [item.c.codePointAt(0)!, end.c.codePointAt(0)!];
        if (lo > hi || hi - lo > MAX_SET) return null;
        for (let cp = lo; cp <= hi; cp++) out.add(String.fromCodePoint(cp));
        i += 2;
      } else out.add(item.c);
      if (out.size > MAX_SET) return null;
    }
    const chars = new Set<string>();
    for (const c of out) {
      if (/[A-Z]/.test(c)) {
        if (this.ignoreCase) chars.add(c.toLowerCase());
        continue;
      }
      if (this.ignoreCase && c.toLowerCase() !== c.toUpperCase() && !/[a-z]/.test(c)) return null;
      chars.add(c);
    }
    if (this.ignoreCase && this.unicode && (chars.has('k') || chars.has('s'))) return null;
    if (chars.size === 0 || chars.size > MAX_SET) return null;
    return [...chars];
  }

  private literal(c: string): Node {
    if (c.length === 1 && c >= '\uD800' && c <= '\uDFFF') return { t: 'atom' };
    if (/[A-Za-z]/.test(c)) {
      const lower = c.toLowerCase();
      if (this.ignoreCase && this.unicode && (lower === 'k' || lower === 's')) return { t: 'atom' };
      return { t: 'char', c: lower, exact: this.ignoreCase || c === lower };
    }
    return { t: 'char', c, exact: true };
  }

  private expect(ch: string): void {
    if (this.src[this.pos] !== ch) throw new RegexParseError(`expected ${ch}`);
    this.pos++;
  }
}

function simplify(kind: 'and' | 'or', items: RegexCondition[]): RegexCondition {
  const flat = items.flatMap((i) => (i.kind === kind ? (i as { items: RegexCondition[] }).items : [i]));
  if (kind === 'and') {
    const kept = flat.filter((i) => i.kind !== 'all');
    return kept.length === 0 ? { kind: 'all' } : kept.length === 1 ? kept[0] : { kind, items: kept };
  }
  if (flat.length === 0 || flat.some((i) => i.kind === 'all')) return { kind: 'all' };
  return flat.length === 1 ? flat[0] : { kind, items: flat };
}

/** The characters a single-position node matches (a literal, \d or a set), else null. */
function positionSet(node: Node): string[] | null {
  return node.t === 'char' ? [node.c] : node.t === 'digit' ? DIGITS : node.t === 'set' ? node.chars : null;
}

/** Largest class kept as a set (larger ones are atoms). */
const MAX_SET = 64;

/** Longest run kept (longer runs are cut: the condition only gets weaker). */
const MAX_RUN = 12;

/** The node's necessary condition. */
function analyse(node: Node): RegexCondition {
  switch (node.t) {
    case 'char':
    case 'digit':
    case 'set':
      return { kind: 'run', sets: [positionSet(node)!] };
    case 'atom':
      return { kind: 'all' };
    case 'rep':
      return node.min === 0 ? { kind: 'all' } : analyse(node.item);
    case 'alt':
      return simplify('or', node.items.map(analyse));
    case 'cat': {
      const conds: RegexCondition[] = [];
      let run: string[][] = [];
      const flush = () => {
        if (run.length) conds.push({ kind: 'run', sets: run.slice(0, MAX_RUN) });
        run = [];
      };
      for (const item of node.items) {
        const set = positionSet(item);
        if (set) {
          run.push(set);
          continue;
        }
        const repeated = item.t === 'rep' ? positionSet(item.item) : null;
        if (item.t === 'rep' && repeated && item.min >= 1) {
          // X{m,n}: the match of the repetition starts and ends with min(m, MAX_RUN) X's.
          const copies = Array.from({ length: Math.min(item.min, MAX_RUN) }, () => repeated);
          run.push(...copies);
          if (item.max !== item.min) {
            flush();
            run = [...copies];
          }
          continue;
        }
        flush();
        conds.push(analyse(item));
      }
      flush();
      return simplify('and', conds);
    }
  }
}

/** The parsed regex (flags as the rule gives them), or null when the parser here does not accept it. */
export function parseRegex(source: string, flags: string): Node | null {
  try {
    return new Parser(source, flags.includes('u'), flags.includes('i')).parse();
  } catch {
    return null;
  }
}

/** The necessary condition of a regex (flags as the rule gives them); `all` when it has none or cannot be parsed. */
export function regexCondition(source: string, flags: string): RegexCondition {
  const node = parseRegex(source, flags);
  return node ? analyse(node) : { kind: 'all' };
}
