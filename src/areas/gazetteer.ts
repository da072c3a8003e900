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
  next: Map<string, TrieNode>;
  entry?: GazetteerEntry;
}

/**
 * Finds known places in text: longest alias first, non-overlapping, in one pass over the text
 * (a character trie, so the cost does not grow with the number of aliases).
 */
export class Gazetteer {
  private readonly root: TrieNode = { next: new Map() };

  constructor(entries: readonly GazetteerEntry[]) {
    for (const entry of entries) {
      let node = this.root;
      for (const ch of entry.alias) {
        let child = node.next.get(ch);
        if (!child) node.next.set(ch, (child = { next: new Map() }));
        node = child;
      }
      node.entry = entry;
    }
  }

  /** Non-overlapping alias occurrences, preferring the longest alias at each position. */
  find(text: string, field: PlaceHit['field'] = 'body'): PlaceHit[] {
    const hits: PlaceHit[] = [];
    for (let i = 0; i < text.length; ) {
      let node: TrieNode | undefined = this.root;
      let best: { entry: GazetteerEntry; end: number } | undefined;
      for (let j = i; j < text.length && node; j++) {
        node = node.next.get(text[j]);
        if (node?.entry) best = { entry: node.entry, end: j + 1 };
      }
      if (best) {
        hits.push({ alias: best.entry.alias, areaId: best.entry.areaId, start: i, field });
        i = best.end;
      } else {
        i++;
      }
    }
    return hits;
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
