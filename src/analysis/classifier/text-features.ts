const CJK = /[\u4e00-\u9fff]/;
const KEEP_TOKEN = /[\u4e00-\u9fffa-z]/;

/**
 * Sparse features of one document as counts: jieba words (`w`), adjacent word pairs (`b`) and
 * character 2- and 3-grams within runs of Chinese characters (`c`). Input is normalised text and its
 * tokens; digits and punctuation are dropped (they carry anonymised place codes and noise).
 * Training uses this readable form; prediction uses `hashedFeatures`, which yields the same features.
 */
export function textFeatures(text: string, tokens: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (f: string): void => {
    counts.set(f, (counts.get(f) ?? 0) + 1);
  };
  let prev: string | null = null;
  for (const raw of tokens) {
    const token = raw.trim();
    if (!token || !KEEP_TOKEN.test(token)) {
      prev = null;
      continue;
    }
    add(`w${token}`);
    if (prev !== null) add(`b${prev} ${token}`);
    prev = token;
  }
  for (const run of text.match(/[\u4e00-\u9fff]{2,}/g) ?? []) {
    for (let i = 0; i + 1 < run.length; i++) {
      add(`c${run.slice(i, i + 2)}`);
      if (i + 2 < run.length) add(`c${run.slice(i, i + 3)}`);
    }
  }
  return counts;
}

export const isChinese = (ch: string): boolean => CJK.test(ch);

/*
 * Feature hashing without substrings: a feature string is hashed code unit by code unit into two
 * independent 32-bit halves (FNV-1a and a multiply–xorshift step), so the hash of `c` + a + b + c
 * extends the hash of `c` + a + b. The model's feature strings are hashed the same way when it is
 * loaded, and a 64-bit key identifies a feature (a collision between two model features is refused).
 */
export const SEED_A = 0x811c9dc5;
export const SEED_B = 0x9747b28c;

export function stepA(h: number, code: number): number {
  return Math.imul(h ^ code, 0x01000193);
}

export function stepB(h: number, code: number): number {
  const x = Math.imul(h ^ code, 0x5bd1e995);
  return x ^ (x >>> 15);
}

/** Both hash halves of a feature string (as `hashedFeatures` computes them), as signed 32-bit integers. */
export function hashFeature(feature: string): [number, number] {
  let a = SEED_A;
  let b = SEED_B;
  for (let i = 0; i < feature.length; i++) {
    const c = feature.charCodeAt(i);
    a = stepA(a, c);
    b = stepB(b, c);
  }
  return [a | 0, b | 0];
}

/** Receives the hashed features of a document, in the order `textFeatures` first meets them. */
export interface HashedFeatureSink {
  add(a: number, b: number, count: number): void;
}

const W_A = stepA(SEED_A, 0x77); // 'w'
const W_B = stepB(SEED_B, 0x77);
const BI_A = stepA(SEED_A, 0x62); // 'b'
const BI_B = stepB(SEED_B, 0x62);
const C_A = stepA(SEED_A, 0x63); // 'c'
const C_B = stepB(SEED_B, 0x63);

const isHan = (c: number): boolean => c >= 0x4e00 && c <= 0x9fff;

function keepToken(token: string): boolean {
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (isHan(c) || (c >= 0x61 && c <= 0x7a)) return true;
  }
  return false;
}

/** Word and word-pair features of one token list, each counted `weight` times. */
function tokenFeatures(tokens: readonly string[], weight: number, sink: HashedFeatureSink): void {
  let prev: string | null = null;
  for (let t = 0; t < tokens.length; t++) {
    const token = tokens[t].trim();
    if (!token || !keepToken(token)) {
      prev = null;
      continue;
    }
    let a = W_A;
    let b = W_B;
    for (let i = 0; i < token.length; i++) {
      const c = token.charCodeAt(i);
      a = stepA(a, c);
      b = stepB(b, c);
    }
    sink.add(a | 0, b | 0, weight);
    if (prev !== null) {
      a = BI_A;
      b = BI_B;
      for (let i = 0; i < prev.length; i++) {
        const c = prev.charCodeAt(i);
        a = stepA(a, c);
        b = stepB(b, c);
      }
      a = stepA(a, 0x20);
      b = stepB(b, 0x20);
      for (let i = 0; i < token.length; i++) {
        const c = token.charCodeAt(i);
        a = stepA(a, c);
        b = stepB(b, c);
      }
      sink.add(a | 0, b | 0, weight);
    }
    prev = token;
  }
}

/** Character 2- and 3-gram features within runs of Chinese characters, each counted `weight` times. */
function charGramFeatures(text: string, weight: number, sink: HashedFeatureSink): void {
  const n = text.length;
  let c1 = n > 0 ? text.charCodeAt(0) : 0;
  let c2 = n > 1 ? text.charCodeAt(1) : 0;
  for (let i = 0; i + 1 < n; i++) {
    const c3 = i + 2 < n ? text.charCodeAt(i + 2) : 0;
    if (isHan(c1) && isHan(c2)) {
      const a2 = stepA(stepA(C_A, c1), c2);
      const b2 = stepB(stepB(C_B, c1), c2);
      sink.add(a2 | 0, b2 | 0, weight);
      if (isHan(c3)) sink.add(stepA(a2, c3) | 0, stepB(b2, c3) | 0, weight);
    }
    c1 = c2;
    c2 = c3;
  }
}

/**
 * The features of `featuresFromWords` (corpus.ts) as hashes, without building strings: words and
 * word pairs of the title (counted twice) and body, then character n-grams of the title (twice) and
 * body, in the order the Map of `textFeatures` would first hold them.
 */
export function hashedFeatures(title: string, titleWords: readonly string[], body: string, bodyWords: readonly string[], sink: HashedFeatureSink): void {
  tokenFeatures(titleWords, 2, sink);
  tokenFeatures(bodyWords, 1, sink);
  charGramFeatures(title, 2, sink);
  charGramFeatures(body, 1, sink);
}
