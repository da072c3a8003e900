/** An alias the gazetteer knows, with the area it names. */
export interface GazetteerEntry {
  alias: string;
  areaId: number;
}

export interface PlaceHit {
  alias: string;
  areaId: number;
  start: number;
  field: 'title' | 'body';
}

export interface Location {
  areaId: number;
  /** null when the post named no known place and the fallback area was used. */
  alias: string | null;
  confidence: number;
  hits: PlaceHit[];
}

interface TrieNode {
  /** Children by UTF-16 code unit. */
  next: Map<number, TrieNode>;
  entry?: GazetteerEntry;
}

/**
 * Finds known places in text: longest alias first, non-overlapping, in one pass over the text
 * (a character trie, so the cost does not grow with the number of aliases). The trie is keyed by
 * UTF-16 code units, and a bitset of the aliases' first units turns most positions away at once.
 * An alias holding a character outside the BMP is never found (as when the trie was keyed by whole
 * characters and the text read unit by unit).
 */
export class Gazetteer {
  private readonly root: TrieNode = { next: new Map() };
  /** Bit per code unit that begins some alias. */
  private readonly firstUnits = new Int32Array(65536 >>> 5);

  constructor(entries: readonly GazetteerEntry[]) {
    for (const entry of entries) {
      let node = this.root;
      let reachable = true;
      for (let i = 0; i < entry.alias.length; i++) {
        const unit = entry.alias.charCodeAt(i);
        const astral = unit >= 0xd800 && unit <= 0xdbff && i + 1 < entry.alias.length && isLowSurrogate(entry.alias.charCodeAt(i + 1));
        if (astral) {
          // A pair of units was one key that a single unit never equals: the rest of the path is unreachable.
          reachable = false;
          break;
        }
        if (node === this.root) this.firstUnits[unit >>> 5] |= 1 << (unit & 31);
        let child = node.next.get(unit);
        if (!child) node.next.set(unit, (child = { next: new Map() }));
        node = child;
      }
      if (reachable) node.entry = entry;
    }
  }

  /** The longest alias beginning at `i` (and where it ends), or undefined. */
  private longestAt(text: string, i: number): { entry: GazetteerEntry; end: number } | undefined {
    let node: TrieNode | undefined = this.root;
    let best: { entry: GazetteerEntry; end: number } | undefined;
    for (let j = i; j < text.length && node; j++) {
      node = node.next.get(text.charCodeAt(j));
      if (node?.entry) best = { entry: node.entry, end: j + 1 };
    }
    return best;
  }

  /** Non-overlapping alias occurrences, preferring the longest alias at each position. */
  find(text: string, field: PlaceHit['field'] = 'body'): PlaceHit[] {
    const hits: PlaceHit[] = [];
    const { firstUnits } = this;
    for (let i = 0; i < text.length; ) {
      const unit = text.charCodeAt(i);
      const best = (firstUnits[unit >>> 5] & (1 << (unit & 31))) === 0 ? undefined : this.longestAt(text, i);
      if (best) {
        hits.push({ alias: best.entry.alias, areaId: best.entry.areaId, start: i, field });
        i = best.end;
      } else {
        i++;
      }
    }
    return hits;
  }

  /** Whether `name` is itself an alias (the same answer as `find(name).some((h) => h.alias === name)`). */
  isAlias(name: string): boolean {
    let node: TrieNode | undefined = this.root;
    for (let j = 0; j < name.length && node; j++) node = node.next.get(name.charCodeAt(j));
    return node !== undefined && node !== this.root && node.entry !== undefined && node.entry.alias === name;
  }

  /**
   * Places a post: the area named most often (title mentions count double), ties broken by the
   * deepest area (`depth`) and then by the first mention; the fallback area when nothing is named.
   */
  locate(title: string, body: string, depth: (areaId: number) => number, fallbackAreaId: number | null): Location | null {
    const hits = [...this.find(title, 'title'), ...this.find(body, 'body')];
    if (hits.length === 0) {
      return fallbackAreaId === null ? null : { areaId: fallbackAreaId, alias: null, confidence: 0.3, hits };
    }
    const score = new Map<number, number>();
    for (const hit of hits) score.set(hit.areaId, (score.get(hit.areaId) ?? 0) + (hit.field === 'title' ? 2 : 1));
    const ranked = [...score.entries()].sort(
      ([a, sa], [b, sb]) => sb - sa || depth(b) - depth(a) || hits.findIndex((h) => h.areaId === a) - hits.findIndex((h) => h.areaId === b),
    );
    const [areaId, best] = ranked[0];
    const total = [...score.values()].reduce((sum, s) => sum + s, 0);
    const inTitle = hits.some((h) => h.areaId === areaId && h.field === 'title');
    const confidence = Math.min(1, (inTitle ? 0.6 : 0.45) + 0.4 * (best / total));
    return { areaId, alias: hits.find((h) => h.areaId === areaId)!.alias, confidence: Math.round(confidence * 100) / 100, hits };
  }
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
