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

/** SimHash of a normalised text: character 3-shingles of its Chinese/alphanumeric content (hashed from char codes, no substrings). */
export function textSimhash(text: string): string {
  const clean = text.replace(/[^\u4e00-\u9fff0-9a-z]/g, '');
  if (clean.length < 3) return simhash64(clean ? [[clean, 1]] : []);
  const acc = new Int32Array(64);
  for (let i = 0; i + 3 <= clean.length; i++) {
    const a = clean.charCodeAt(i);
    const b = clean.charCodeAt(i + 1);
    const c = clean.charCodeAt(i + 2);
    let hi = Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca77) ^ Math.imul(c, 0xc2b2ae3d);
    hi ^= hi >>> 15;
    hi = Math.imul(hi, 0x2c1b3c6d);
    hi ^= hi >>> 12;
    let lo = Math.imul(a, 0x27d4eb2f) ^ Math.imul(b, 0x165667b1) ^ Math.imul(c, 0xd3a2646c);
    lo ^= lo >>> 15;
    lo = Math.imul(lo, 0x297a2d39);
    lo ^= lo >>> 12;
    for (let bit = 0; bit < 32; bit++) {
      acc[bit] += (hi >>> bit) & 1 ? 1 : -1;
      acc[32 + bit] += (lo >>> bit) & 1 ? 1 : -1;
    }
  }
  let hi = 0;
  let lo = 0;
  for (let bit = 0; bit < 32; bit++) {
    if (acc[bit] > 0) hi |= 1 << bit;
    if (acc[32 + bit] > 0) lo |= 1 << bit;
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
