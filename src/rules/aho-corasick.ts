/**
 * Aho–Corasick automaton over UTF-16 code units: finds every occurrence of every pattern in one pass
 * over the text, so the cost of a scan depends on the text and the number of hits, not on how many
 * patterns (rule terms) there are.
 */
export interface PatternHit {
  pattern: number;
  start: number;
  end: number;
}

export class AhoCorasick {
  private readonly next: Map<number, number>[] = [new Map()];
  private readonly fail: number[] = [0];
  /** Patterns ending at a node (its own) and the nearest node on the fail chain with output. */
  private readonly out: number[][] = [[]];
  private readonly dictLink: number[] = [-1];
  readonly patterns: string[];

  constructor(patterns: readonly string[]) {
    this.patterns = [...patterns];
    this.patterns.forEach((p, id) => {
      if (!p) return;
      let node = 0;
      for (let i = 0; i < p.length; i++) {
        const c = p.charCodeAt(i);
        let child = this.next[node].get(c);
        if (child === undefined) {
          child = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.out.push([]);
          this.dictLink.push(-1);
          this.next[node].set(c, child);
        }
        node = child;
      }
      this.out[node].push(id);
    });
    const queue: number[] = [];
    for (const child of this.next[0].values()) queue.push(child);
    for (let q = 0; q < queue.length; q++) {
      const node = queue[q];
      for (const [c, child] of this.next[node]) {
        let f = this.fail[node];
        while (f !== 0 && !this.next[f].has(c)) f = this.fail[f];
        const target = this.next[f].get(c);
        this.fail[child] = target !== undefined && target !== child ? target : 0;
        const fc = this.fail[child];
        this.dictLink[child] = this.out[fc].length ? fc : this.dictLink[fc];
        queue.push(child);
      }
    }
  }

  /** Every occurrence (overlapping ones included), ordered by end offset. */
  search(text: string): PatternHit[] {
    const hits: PatternHit[] = [];
    let node = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      let nxt = this.next[node].get(c);
      while (nxt === undefined && node !== 0) {
        node = this.fail[node];
        nxt = this.next[node].get(c);
      }
      node = nxt ?? 0;
      for (let o = node; o > 0; o = this.dictLink[o]) {
        for (const pattern of this.out[o]) hits.push({ pattern, start: i + 1 - this.patterns[pattern].length, end: i + 1 });
        if (this.dictLink[o] === -1) break;
      }
    }
    return hits;
  }
}
