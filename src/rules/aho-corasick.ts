/**
 * Aho–Corasick automaton over UTF-16 code units: finds every occurrence of every pattern in one pass
 * over the text, so the cost of a scan depends on the text and the number of hits, not on how many
 * patterns (rule terms) there are.
 *
 * Laid out in typed arrays (a few thousand rule terms make tens of thousands of nodes, and a scan
 * visits one per character): the root's transitions are a table indexed by code unit (most
 * characters of a text start from the root or fall back to it); every other node's children are a
 * short run of (code unit, child) pairs sorted by code unit. Outputs are pattern numbers; a scan
 * writes (pattern, end offset) pairs into reusable buffers instead of allocating an object per hit.
 */
export interface PatternHit {
  pattern: number;
  start: number;
  end: number;
}

const NONE = -1;

export class AhoCorasick {
  readonly patterns: string[];
  /** Child of the root by code unit (0: none; the root is node 0 and never a child). */
  private readonly rootNext: Int32Array;
  /** Children of node n: edges edgeStart[n] .. edgeStart[n + 1] - 1, sorted by code unit; edge e leads to node e + 1. */
  private readonly edgeStart: Int32Array;
  private readonly edgeUnit: Uint16Array;
  private readonly fail: Int32Array;
  /** First pattern ending at a node (NONE when none); further ones with the same text via `samePattern`. */
  private readonly nodeOut: Int32Array;
  private readonly samePattern: Int32Array;
  /** The nearest node on the fail chain (not the node itself) with an output, or NONE. */
  private readonly dictLink: Int32Array;
  /** Hits of the last `scan`: pattern numbers and end offsets, in the order `search` reports them. */
  hitPattern: Int32Array<ArrayBuffer> = new Int32Array(256);
  hitEnd: Int32Array<ArrayBuffer> = new Int32Array(256);

  constructor(patterns: readonly string[]) {
    this.patterns = [...patterns];
    // Build a plain trie first (children in Maps), then lay it out breadth-first in typed arrays.
    const children: Map<number, number>[] = [new Map()];
    const out: number[] = [NONE];
    const samePattern = new Int32Array(this.patterns.length).fill(NONE);
    const lastSame: number[] = [NONE];
    this.patterns.forEach((p, id) => {
      if (!p) return;
      let node = 0;
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        let child = children[node].get(c);
        if (child === undefined) {
          child = children.length;
          children.push(new Map());
          out.push(NONE);
          lastSame.push(NONE);
          children[node].set(c, child);
        }
        node = child;
      }
      if (out[node] === NONE) out[node] = id;
      else samePattern[lastSame[node]] = id;
      lastSame[node] = id;
    });

    // Breadth-first numbering, children in code-unit order: node 0 is the root, the children of a node are
    // consecutive, and edge e (in that order) leads to node e + 1. A node's fail target is numbered before it.
    const n = children.length;
    const order = new Int32Array(n);
    this.edgeStart = new Int32Array(n + 1);
    this.edgeUnit = new Uint16Array(Math.max(0, n - 1));
    this.rootNext = new Int32Array(65536);
    let queued = 1;
    for (let v = 0; v < n; v++) {
      this.edgeStart[v] = queued - 1;
      const kids = children[order[v]];
      if (kids.size === 0) continue;
      const units = [...kids.keys()].sort((x, y) => x - y);
      for (const c of units) {
        this.edgeUnit[queued - 1] = c;
        if (v === 0) this.rootNext[c] = queued;
        order[queued++] = kids.get(c)!;
      }
    }
    this.edgeStart[n] = n - 1;
    this.nodeOut = new Int32Array(n);
    for (let v = 0; v < n; v++) this.nodeOut[v] = out[order[v]];
    this.samePattern = samePattern;

    this.fail = new Int32Array(n);
    this.dictLink = new Int32Array(n).fill(NONE);
    for (let v = 1; v < n; v++) {
      for (let k = this.edgeStart[v]; k < this.edgeStart[v + 1]; k++) {
        const c = this.edgeUnit[k];
        let f = this.fail[v];
        let target = this.step(f, c);
        while (target === NONE && f !== 0) {
          f = this.fail[f];
          target = this.step(f, c);
        }
        this.fail[k + 1] = target === NONE ? 0 : target;
      }
    }
    // Root children fail to the root (fail[] is 0 already); dictionary links in breadth-first order.
    for (let v = 1; v < n; v++) {
      const f = this.fail[v];
      this.dictLink[v] = f !== 0 && this.nodeOut[f] !== NONE ? f : f !== 0 ? this.dictLink[f] : NONE;
    }
  }

  /** The child of `node` by code unit `c`, or NONE. */
  private step(node: number, c: number): number {
    if (node === 0) return this.rootNext[c] || NONE;
    const { edgeUnit } = this;
    let lo = this.edgeStart[node];
    let hi = this.edgeStart[node + 1] - 1;
    if (hi - lo < 8) {
      for (; lo <= hi; lo++) {
        const u = edgeUnit[lo];
        if (u === c) return lo + 1;
        if (u > c) return NONE;
      }
      return NONE;
    }
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const u = edgeUnit[mid];
      if (u === c) return mid + 1;
      if (u < c) lo = mid + 1;
      else hi = mid - 1;
    }
    return NONE;
  }

  /**
   * Every occurrence (overlapping ones included) into `hitPattern` / `hitEnd` (valid until the next
   * scan), ordered by end offset, longer patterns first at the same end; returns how many.
   */
  scan(text: string): number {
    const { rootNext, edgeStart, edgeUnit, fail, nodeOut, samePattern, dictLink } = this;
    let hitPattern = this.hitPattern;
    let hitEnd = this.hitEnd;
    let count = 0;
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // Follow fail links until a node has a child for c (this.step, inlined: it runs once per character or more).
      let next = 0;
      while (node !== 0) {
        let lo = edgeStart[node];
        let hi = edgeStart[node + 1];
        if (hi - lo > 8) {
          // Many children (short prefixes): binary search for the first unit >= c.
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (edgeUnit[mid] < c) lo = mid + 1;
            else hi = mid;
          }
          hi = edgeStart[node + 1];
        } else while (lo < hi && edgeUnit[lo] < c) lo++;
        if (lo < hi && edgeUnit[lo] === c) {
          next = lo + 1;
          break;
        }
        node = fail[node];
      }
      node = next !== 0 ? next : rootNext[c];
      if (node === 0) continue;
      for (let o = nodeOut[node] !== NONE ? node : dictLink[node]; o !== NONE; o = dictLink[o]) {
        for (let p = nodeOut[o]; p !== NONE; p = samePattern[p]) {
          if (count === hitPattern.length) {
            hitPattern = grow(hitPattern);
            hitEnd = grow(hitEnd);
            this.hitPattern = hitPattern;
            this.hitEnd = hitEnd;
          }
          hitPattern[count] = p;
          hitEnd[count++] = i + 1;
        }
      }
    }
    return count;
  }

  /** Every occurrence (overlapping ones included), ordered by end offset. */
  search(text: string): PatternHit[] {
    const n = this.scan(text);
    const hits: PatternHit[] = [];
    for (let i = 0; i < n; i++) {
      const pattern = this.hitPattern[i];
      const end = this.hitEnd[i];
      hits.push({ pattern, start: end - this.patterns[pattern].length, end });
    }
    return hits;
  }
}

function grow(a: Int32Array): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
