/**
 * Aho–Corasick automaton over UTF-16 code units: finds every occurrence of every pattern in one pass
 * over the text, so the cost of a scan depends on the text and the number of hits, not on how many
 * patterns (rule terms) there are.
 *
 * Laid out in typed arrays (a few thousand rule terms make tens of thousands of nodes, and a scan
 * visits one per character): the root's transitions are a table indexed by code unit (most
 * characters of a text start from the root or fall back to it); every other node's children are a
 * short run of child code units sorted by code unit. A node is one record in a single array (its fail
 * link, where its outputs are listed, its children's code units and their records), so a step of a
 * scan reads about one cache line even when the rest of the process (segmentation) has evicted the
 * automaton; the patterns reported at a node (its own and those of its dictionary suffix links) are
 * listed together, in one run. Outputs are pattern numbers; a scan writes (pattern, end offset) pairs
 * into reusable buffers instead of allocating an object per hit.
 */
export interface PatternHit {
  pattern: number;
  start: number;
  end: number;
}

const NONE = -1;

export class AhoCorasick {
  readonly patterns: string[];
  /** The record of the root's child by code unit (0: none; the root's record is at 0 and is never a child). */
  private readonly rootNext: Int32Array;
  /**
   * Node records: at o, [o] the fail link's record, [o + 1] where the patterns reported at the node start in
   * `outputs` (NONE when none), [o + 2] the number of children k, then k code units (ascending) and the k
   * children's records.
   */
  private readonly trie: Int32Array;
  /** Runs of pattern numbers, each ended by NONE: the node's own patterns, then those of its dictionary links in turn. */
  private readonly outputs: Int32Array;
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
    const edgeStart = new Int32Array(n + 1);
    const edgeUnit = new Uint16Array(Math.max(0, n - 1));
    const rootChild = new Int32Array(65536);
    let queued = 1;
    for (let v = 0; v < n; v++) {
      edgeStart[v] = queued - 1;
      const kids = children[order[v]];
      if (kids.size === 0) continue;
      const units = [...kids.keys()].sort((x, y) => x - y);
      for (const c of units) {
        edgeUnit[queued - 1] = c;
        if (v === 0) rootChild[c] = queued;
        order[queued++] = kids.get(c)!;
      }
    }
    edgeStart[n] = n - 1;
    const nodeOut = new Int32Array(n);
    for (let v = 0; v < n; v++) nodeOut[v] = out[order[v]];

    /** The child of `node` by code unit `c`, or NONE. */
    const step = (node: number, c: number): number => {
      if (node === 0) return rootChild[c] || NONE;
      for (let e = edgeStart[node]; e < edgeStart[node + 1]; e++) if (edgeUnit[e] === c) return e + 1;
      return NONE;
    };
    const fail = new Int32Array(n);
    const dictLink = new Int32Array(n).fill(NONE);
    for (let v = 1; v < n; v++) {
      for (let k = edgeStart[v]; k < edgeStart[v + 1]; k++) {
        const c = edgeUnit[k];
        let f = fail[v];
        let target = step(f, c);
        while (target === NONE && f !== 0) {
          f = fail[f];
          target = step(f, c);
        }
        fail[k + 1] = target === NONE ? 0 : target;
      }
    }
    // Root children fail to the root (fail[] is 0 already); dictionary links in breadth-first order.
    for (let v = 1; v < n; v++) {
      const f = fail[v];
      dictLink[v] = f !== 0 && nodeOut[f] !== NONE ? f : f !== 0 ? dictLink[f] : NONE;
    }

    // Records in breadth-first order (the root first, with no children: the scan looks those up in rootNext).
    const record = new Int32Array(n);
    let size = 3;
    for (let v = 1; v < n; v++) {
      record[v] = size;
      size += 3 + 2 * (edgeStart[v + 1] - edgeStart[v]);
    }
    const trie = new Int32Array(size);
    const outputs: number[] = [];
    trie[1] = NONE;
    for (let v = 1; v < n; v++) {
      const o = record[v];
      trie[o] = record[fail[v]];
      const first = nodeOut[v] !== NONE ? v : dictLink[v];
      if (first === NONE) trie[o + 1] = NONE;
      else {
        trie[o + 1] = outputs.length;
        for (let x = first; x !== NONE; x = dictLink[x]) for (let p = nodeOut[x]; p !== NONE; p = samePattern[p]) outputs.push(p);
        outputs.push(NONE);
      }
      const k = edgeStart[v + 1] - edgeStart[v];
      trie[o + 2] = k;
      for (let j = 0; j < k; j++) {
        trie[o + 3 + j] = edgeUnit[edgeStart[v] + j];
        trie[o + 3 + k + j] = record[edgeStart[v] + j + 1];
      }
    }
    const rootNext = new Int32Array(65536);
    for (let e = edgeStart[0]; e < edgeStart[1]; e++) rootNext[edgeUnit[e]] = record[e + 1];
    this.rootNext = rootNext;
    this.trie = trie;
    this.outputs = Int32Array.from(outputs);
  }

  /**
   * Every occurrence (overlapping ones included) into `hitPattern` / `hitEnd` (valid until the next
   * scan), ordered by end offset, longer patterns first at the same end; returns how many.
   */
  scan(text: string): number {
    const { rootNext, trie, outputs } = this;
    let hitPattern = this.hitPattern;
    let hitEnd = this.hitEnd;
    let count = 0;
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      // Follow fail links until a node has a child for c (it runs once per character or more).
      let next = 0;
      while (node !== 0) {
        const k = trie[node + 2];
        let lo = node + 3;
        const end = lo + k;
        if (k > 8) {
          // Many children (short prefixes): binary search for the first unit >= c.
          let hi = end;
          while (lo < hi) {
            const mid = (lo + hi) >> 1;
            if (trie[mid] < c) lo = mid + 1;
            else hi = mid;
          }
        } else while (lo < end && trie[lo] < c) lo++;
        if (lo < end && trie[lo] === c) {
          next = trie[lo + k];
          break;
        }
        node = trie[node];
      }
      node = next !== 0 ? next : rootNext[c];
      if (node === 0) continue;
      const first = trie[node + 1];
      if (first === NONE) continue;
      for (let j = first; outputs[j] !== NONE; j++) {
        if (count === hitPattern.length) {
          hitPattern = grow(hitPattern);
          hitEnd = grow(hitEnd);
          this.hitPattern = hitPattern;
          this.hitEnd = hitEnd;
        }
        hitPattern[count] = outputs[j];
        hitEnd[count++] = i + 1;
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
