import { hashFeature, SEED_A, SEED_B, stepA, stepB } from './classifier/text-features';

/** Words that say nothing about a dispute (besides punctuation, digits and single characters). */
const STOPWORDS = new Set(
  '我们 你们 他们 她们 大家 自己 这个 那个 这些 那些 什么 怎么 为什么 因为 所以 但是 而且 如果 已经 还是 就是 没有 可以 不能 不是 现在 目前 问题 情况 希望 请问 您好 你好 谢谢 领导 相关 有关 部门 进行 一个 一些 这样 那样 非常 特别 一直 多次 其他 以及 或者 还有 由于 对于 关于 根据 通过 时候 时间 今天 昨天 明天 每天 地方 方面 需要 应该 能够 一下 一样 本人 居民 业主 市民 反映 解决 处理 谢谢您 尊敬'.split(' '),
);

export interface IdfTable {
  kind: 'idf';
  version: string;
  documents: number;
  /** word → idf (rounded to 3 decimals). */
  idf: Record<string, number>;
  /** For words the corpus never had. */
  defaultIdf: number;
}

/**
 * Two characters or more, Chinese or lower-case Latin first, then also digits; not a stopword and not a
 * letter followed by digits only (anonymised codes such as a1).
 */
export function isKeywordCandidate(word: string): boolean {
  if (word.length < 2) return false;
  const first = word.charCodeAt(0);
  const latinFirst = first >= 0x61 && first <= 0x7a;
  if (!latinFirst && !(first >= 0x4e00 && first <= 0x9fff)) return false;
  let digitsOnly = true;
  for (let i = 1; i < word.length; i++) {
    const c = word.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) continue;
    digitsOnly = false;
    if (!((c >= 0x4e00 && c <= 0x9fff) || (c >= 0x61 && c <= 0x7a))) return false;
  }
  return !(latinFirst && digitsOnly) && !STOPWORDS.has(word);
}

/** Fits an IDF table (smoothed: ln((1+N)/(1+df)) + 1) on the words of a corpus, one array per document. */
export function fitIdf(documents: Iterable<readonly string[]>, version: string, minDf = 2): IdfTable {
  const df = new Map<string, number>();
  let n = 0;
  for (const words of documents) {
    n++;
    for (const w of new Set(words)) if (isKeywordCandidate(w)) df.set(w, (df.get(w) ?? 0) + 1);
  }
  const idf: Record<string, number> = {};
  for (const [w, d] of [...df.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (d >= minDf) idf[w] = Math.round((Math.log((1 + n) / (1 + d)) + 1) * 1000) / 1000;
  }
  return { kind: 'idf', version, documents: n, idf, defaultIdf: Math.round((Math.log((1 + n) / 2) + 1) * 1000) / 1000 };
}

/**
 * An IDF table by 64-bit word hash (text-features.ts) in typed arrays: 16-byte slots of [first half,
 * second half, idf as a double] (NaN: empty), so a lookup reads one slot and no key string, and
 * hashes the word in place without an intermediate tuple. Two words with the same hash are refused.
 */
class IdfIndex {
  private readonly keys: Int32Array;
  private readonly values: Float64Array;
  private readonly mask: number;

  constructor(idf: Record<string, number>) {
    const words = Object.keys(idf);
    let capacity = 1024;
    while (capacity * 0.6 < words.length) capacity *= 2;
    this.mask = capacity - 1;
    const buffer = new ArrayBuffer(capacity * 16);
    this.keys = new Int32Array(buffer);
    this.values = new Float64Array(buffer).fill(NaN);
    for (const w of words) {
      const [a, b] = hashFeature(w);
      if (this.find(a, b) !== -1) throw new Error(`idf table: two words share the hash of ${JSON.stringify(w)}`);
      let slot = (Math.imul(a ^ (a >>> 16), 0x85ebca6b) >>> 0) & this.mask;
      while (this.values[2 * slot + 1] === this.values[2 * slot + 1]) slot = (slot + 1) & this.mask;
      this.keys[4 * slot] = a;
      this.keys[4 * slot + 1] = b;
      this.values[2 * slot + 1] = Number(idf[w]);
    }
  }

  /** The slot of a word hash, or -1. */
  private find(a: number, b: number): number {
    const { keys, values, mask } = this;
    for (let slot = (Math.imul(a ^ (a >>> 16), 0x85ebca6b) >>> 0) & mask; ; slot = (slot + 1) & mask) {
      const v = values[2 * slot + 1];
      if (v !== v) return -1;
      if (keys[4 * slot] === a && keys[4 * slot + 1] === b) return slot;
    }
  }

  private sink = 0;

  /**
   * The idf of each of the first n word hashes (`fallback` for those not in the table) into `out`.
   * Every home slot is read once first (independent loads the CPU overlaps), so the probes that
   * follow mostly find their cache lines fetched.
   */
  lookup(hashA: Int32Array, hashB: Int32Array, n: number, fallback: number, out: Float64Array): void {
    const { keys, values, mask } = this;
    let sink = 0;
    for (let w = 0; w < n; w++) {
      const a = hashA[w];
      sink ^= keys[4 * ((Math.imul(a ^ (a >>> 16), 0x85ebca6b) >>> 0) & mask)];
    }
    this.sink ^= sink;
    for (let w = 0; w < n; w++) {
      const slot = this.find(hashA[w], hashB[w]);
      out[w] = slot === -1 ? fallback : values[2 * slot + 1];
    }
  }
}

/**
 * The distinct keyword candidates of one document in the order first met, with their counts and
 * 64-bit hashes (text-features.ts), counted in a small open-addressing table by hash (words with
 * equal hashes are compared too). Scratch reused from one document to the next.
 */
class CandidateCounter {
  words: string[] = [];
  hashA = new Int32Array(256);
  hashB = new Int32Array(256);
  counts = new Int32Array(256);
  size = 0;
  /** Candidate number + 1 per slot (0: empty; a power of two long, at least twice the words); emptied after each document. */
  private slots = new Int32Array(512);
  private slotOf = new Int32Array(256);

  count(parts: readonly (readonly string[])[]): void {
    let total = 0;
    for (const part of parts) total += part.length;
    if (this.hashA.length < total) {
      this.hashA = new Int32Array(2 * total);
      this.hashB = new Int32Array(2 * total);
      this.counts = new Int32Array(2 * total);
      this.slotOf = new Int32Array(2 * total);
    }
    if (this.slots.length < 2 * total) {
      let capacity = this.slots.length;
      while (capacity < 2 * total) capacity *= 2;
      this.slots = new Int32Array(capacity);
    }
    const { words, hashA, hashB, counts, slots, slotOf } = this;
    const mask = slots.length - 1;
    let n = 0;
    for (const part of parts) {
      for (let p = 0; p < part.length; p++) {
        const word = part[p];
        if (!isKeywordCandidate(word)) continue;
        let a = SEED_A;
        let b = SEED_B;
        for (let i = 0; i < word.length; i++) {
          const c = word.charCodeAt(i);
          a = stepA(a, c);
          b = stepB(b, c);
        }
        for (let slot = (Math.imul(a ^ (a >>> 16), 0x85ebca6b) >>> 0) & mask; ; slot = (slot + 1) & mask) {
          const e = slots[slot];
          if (e === 0) {
            words[n] = word;
            hashA[n] = a;
            hashB[n] = b;
            counts[n] = 1;
            slotOf[n] = slot;
            slots[slot] = ++n;
            break;
          }
          if (hashA[e - 1] === a && hashB[e - 1] === b && words[e - 1] === word) {
            counts[e - 1]++;
            break;
          }
        }
      }
    }
    for (let i = 0; i < n; i++) slots[slotOf[i]] = 0;
    this.size = n;
  }
}

const idfIndexes = new WeakMap<IdfTable, IdfIndex>();
/** Scratch for topKeywords: the distinct candidates, and the idf of each. */
const counter = new CandidateCounter();
let idfScratch = new Float64Array(256);

/** The top words of a document by TF-IDF (ties: the earlier word first). */
export function topKeywords(words: readonly string[], table: IdfTable, top: number): string[] {
  return topKeywordsOfParts([words], table, top);
}

/** topKeywords of the words of several lists one after the other (title words, body words), without joining them. */
export function topKeywordsOfParts(parts: readonly (readonly string[])[], table: IdfTable, top: number): string[] {
  let idf = idfIndexes.get(table);
  if (!idf) idfIndexes.set(table, (idf = new IdfIndex(table.idf)));
  if (top <= 0) return [];
  counter.count(parts);
  const { words, counts, size } = counter;
  // The best `top` by score, earlier first among equals: one pass keeping a short sorted list.
  if (idfScratch.length < size) idfScratch = new Float64Array(2 * size);
  idf.lookup(counter.hashA, counter.hashB, size, table.defaultIdf, idfScratch);
  const best: { w: string; score: number }[] = [];
  for (let i = 0; i < size; i++) {
    const w = words[i];
    const score = (1 + Math.log(counts[i])) * idfScratch[i];
    if (best.length === top && !(score > best[top - 1].score)) continue;
    let at = best.length;
    while (at > 0 && score > best[at - 1].score) at--;
    best.splice(at, 0, { w, score });
    if (best.length > top) best.pop();
  }
  return best.map((x) => x.w);
}
