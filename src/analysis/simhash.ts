/** 64-bit SimHash as 16 hex digits, built from two 32-bit halves (no BigInt on the hot path). */

function fnv1a32(text: string, seed: number): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  // final avalanche (murmur3 fmix32)
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * SimHash over weighted features (e.g. word tokens and character shingles): texts that share most
 * features get fingerprints a few bits apart.
 */
export function simhash64(features: Iterable<[string, number]>): string {
  const acc = new Float64Array(64);
  for (const [feature, weight] of features) {
    const hi = fnv1a32(feature, 0x811c9dc5);
    const lo = fnv1a32(feature, 0x9747b28c);
    for (let b = 0; b < 32; b++) {
      acc[b] += (hi >>> b) & 1 ? weight : -weight;
      acc[32 + b] += (lo >>> b) & 1 ? weight : -weight;
    }
  }
  let hi = 0;
  let lo = 0;
  for (let b = 0; b < 32; b++) {
    if (acc[b] > 0) hi |= 1 << b;
    if (acc[32 + b] > 0) lo |= 1 << b;
  }
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

const isShingleChar = (c: number): boolean => (c >= 0x4e00 && c <= 0x9fff) || (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a);

/**
 * Bit counts of many 32-bit hashes at once (SWAR): counter j adds bits j, j+8, j+16 and j+24 of each
 * hash in its four bytes, eight counters per half held in locals (textSimhash); they are added into
 * `ones` (per bit: how many shingle hashes have it) before a byte can overflow (every 255 shingles).
 */
function flushHalf(ones: Int32Array, base: number, c0: number, c1: number, c2: number, c3: number, c4: number, c5: number, c6: number, c7: number): void {
  const lanes = [c0, c1, c2, c3, c4, c5, c6, c7];
  for (let j = 0; j < 8; j++) {
    const lane = lanes[j];
    ones[base + j] += lane & 0xff;
    ones[base + j + 8] += (lane >>> 8) & 0xff;
    ones[base + j + 16] += (lane >>> 16) & 0xff;
    ones[base + j + 24] += lane >>> 24;
  }
}

const ones = new Int32Array(64);

/**
 * SimHash of a normalised text: character 3-shingles of its Chinese/alphanumeric content (hashed from
 * char codes, no substrings; a bit is set when more than half of the shingle hashes have it).
 */
export function textSimhash(text: string): string {
  let a = 0;
  let b = 0;
  let kept = 0;
  let shingles = 0;
  let pending = 0;
  ones.fill(0);
  // Counter j of each half (see flushHalf).
  let h0 = 0, h1 = 0, h2 = 0, h3 = 0, h4 = 0, h5 = 0, h6 = 0, h7 = 0; // prettier-ignore
  let l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0; // prettier-ignore
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isShingleChar(c)) continue;
    kept++;
    if (kept >= 3) {
      let hi = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d);
      hi ^= hi >>> 15;
      hi = Math.imul(hi, 0x2c1b3c6d);
      hi ^= hi >>> 12;
      let lo = Math.imul(a, 0x27d4eb2f) ^ Math.imul(b, 0x165667b1) ^ Math.imul(c, 0xd3a2646c);
      lo ^= lo >>> 15;
      lo = Math.imul(lo, 0x297a2d39);
      lo ^= lo >>> 12;
      h0 += hi & 0x01010101;
      h1 += (hi >>> 1) & 0x01010101;
      h2 += (hi >>> 2) & 0x01010101;
      h3 += (hi >>> 3) & 0x01010101;
      h4 += (hi >>> 4) & 0x01010101;
      h5 += (hi >>> 5) & 0x01010101;
      h6 += (hi >>> 6) & 0x01010101;
      h7 += (hi >>> 7) & 0x01010101;
      l0 += lo & 0x01010101;
      l1 += (lo >>> 1) & 0x01010101;
      l2 += (lo >>> 2) & 0x01010101;
      l3 += (lo >>> 3) & 0x01010101;
      l4 += (lo >>> 4) & 0x01010101;
      l5 += (lo >>> 5) & 0x01010101;
      l6 += (lo >>> 6) & 0x01010101;
      l7 += (lo >>> 7) & 0x01010101;
      shingles++;
      if (++pending === 255) {
        flushHalf(ones, 0, h0, h1, h2, h3, h4, h5, h6, h7);
        flushHalf(ones, 32, l0, l1, l2, l3, l4, l5, l6, l7);
        h0 = h1 = h2 = h3 = h4 = h5 = h6 = h7 = 0;
        l0 = l1 = l2 = l3 = l4 = l5 = l6 = l7 = 0;
        pending = 0;
      }
    }
    a = b;
    b = c;
  }
  if (kept < 3) {
    const clean = text.replace(/[^\u4e00-\u9fff0-9a-z]/g, '');
    return simhash64(clean ? [[clean, 1]] : []);
  }
  flushHalf(ones, 0, h0, h1, h2, h3, h4, h5, h6, h7);
  flushHalf(ones, 32, l0, l1, l2, l3, l4, l5, l6, l7);
  // A bit is set when the shingles with it outnumber those without (sum of ±1 above zero).
  let hi = 0;
  let lo = 0;
  for (let bit = 0; bit < 32; bit++) {
    if (2 * ones[bit] > shingles) hi |= 1 << bit;
    if (2 * ones[32 + bit] > shingles) lo |= 1 << bit;
  }
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export function hammingDistance(a: string, b: string): number {
  return popcount32(parseInt(a.slice(0, 8), 16) ^ parseInt(b.slice(0, 8), 16)) + popcount32(parseInt(a.slice(8), 16) ^ parseInt(b.slice(8), 16));
}
