import { hashedFeatures, HashedFeatureSink, hashFeature } from './text-features';

/**
 * A TF-IDF vectoriser and a multinomial logistic-regression (softmax) classifier trained by seeded
 * stochastic gradient descent. Pure TypeScript, deterministic for a given seed and input order.
 */

export interface LabelledDocument {
  features: Map<string, number>;
  label: string;
}

export interface TrainOptions {
  /** Keep features that occur in at least this many training documents. */
  minDf: number;
  epochs: number;
  learningRate: number;
  /** L2 regularisation strength per sample. */
  l2: number;
  seed: number;
  /** Drop features whose largest absolute weight is below this after training (model size). */
  pruneBelow: number;
  /** Weight each class inversely to its frequency (helps the small categories' recall). */
  balanced: boolean;
  /** Average the weights at the end of each epoch of the second half (Polyak averaging, steadier). */
  average: boolean;
  /** Fit per-class intercepts. Without them the predicted class does not depend on the vector's norm,
   * so pruning small weights changes the scores of the remaining features only. */
  fitBias: boolean;
  /** Train this many models with seeds seed, seed+1, … and average their weights (less variance). */
  ensemble: number;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  minDf: 2,
  epochs: 30,
  learningRate: 1,
  l2: 1e-7,
  seed: 42,
  pruneBelow: 0.2,
  balanced: true,
  average: false,
  fitBias: false,
  ensemble: 3,
};

/** The serialised model (config/models/category-<version>.json). */
export interface LinearModelFile {
  kind: 'tfidf-softmax';
  version: string;
  classes: string[];
  /** Feature → [idf, weight per class…], as integers: the values times `scale`. */
  features: Record<string, number[]>;
  scale: number;
  bias: number[];
  meta: Record<string, unknown>;
}

export interface Prediction {
  label: string;
  probability: number;
  scores: Record<string, number>;
}

/** mulberry32: a small seeded PRNG. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface SparseVector {
  idx: Int32Array;
  val: Float64Array;
}

function vectorise(features: Map<string, number>, index: Map<string, number>, idf: ArrayLike<number>): SparseVector {
  const idx: number[] = [];
  const val: number[] = [];
  let norm = 0;
  for (const [f, tf] of features) {
    const i = index.get(f);
    if (i === undefined) continue;
    const v = (1 + Math.log(tf)) * idf[i];
    idx.push(i);
    val.push(v);
    norm += v * v;
  }
  norm = Math.sqrt(norm) || 1;
  return { idx: Int32Array.from(idx), val: Float64Array.from(val, (v) => v / norm) };
}

function softmaxInPlace(z: Float64Array): void {
  let max = -Infinity;
  for (const v of z) if (v > max) max = v;
  let sum = 0;
  for (let k = 0; k < z.length; k++) sum += z[k] = Math.exp(z[k] - max);
  for (let k = 0; k < z.length; k++) z[k] /= sum;
}

/** One softmax regression by SGD; returns the weights (feature-major, K per feature) and intercepts. */
function trainOne(X: SparseVector[], y: number[], features: number, K: number, classWeight: number[], opt: TrainOptions): { v: Float64Array; bias: Float64Array } {
  // w = scale * v: L2 shrinkage becomes a multiplication of one number per step.
  const v = new Float64Array(features * K);
  const bias = new Float64Array(K);
  let scale = 1;
  const random = seededRandom(opt.seed);
  const order = X.map((_, i) => i);
  const z = new Float64Array(K);
  let step = 0;
  const avg = new Float64Array(opt.average ? v.length : 0);
  const avgBias = new Float64Array(K);
  let snapshots = 0;
  for (let epoch = 0; epoch < opt.epochs; epoch++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const n of order) {
      const eta = opt.learningRate / (1 + opt.learningRate * opt.l2 * step++);
      const { idx, val } = X[n];
      for (let k = 0; k < K; k++) z[k] = bias[k];
      for (let p = 0; p < idx.length; p++) {
        const base = idx[p] * K;
        const x = val[p] * scale;
        for (let k = 0; k < K; k++) z[k] += v[base + k] * x;
      }
      softmaxInPlace(z);
      z[y[n]] -= 1; // gradient of the cross-entropy w.r.t. the scores
      const cw = classWeight[y[n]];
      for (let k = 0; k < K; k++) z[k] *= cw;
      scale *= 1 - eta * opt.l2;
      if (scale < 1e-9) {
        for (let q = 0; q < v.length; q++) v[q] *= scale;
        scale = 1;
      }
      for (let p = 0; p < idx.length; p++) {
        const base = idx[p] * K;
        const g = (eta * val[p]) / scale;
        for (let k = 0; k < K; k++) v[base + k] -= g * z[k];
      }
      if (opt.fitBias) for (let k = 0; k < K; k++) bias[k] -= eta * z[k];
    }
    if (opt.average && epoch >= Math.floor(opt.epochs / 2)) {
      for (let q = 0; q < v.length; q++) avg[q] += v[q] * scale;
      for (let k = 0; k < K; k++) avgBias[k] += bias[k];
      snapshots++;
    }
  }
  if (opt.average && snapshots > 0) {
    for (let q = 0; q < v.length; q++) v[q] = avg[q] / snapshots;
    for (let k = 0; k < K; k++) bias[k] = avgBias[k] / snapshots;
    scale = 1;
  }

  if (scale !== 1) for (let q = 0; q < v.length; q++) v[q] *= scale;
  return { v, bias };
}

export function trainLinearModel(docs: readonly LabelledDocument[], version: string, options: Partial<TrainOptions> = {}): LinearModelFile {
  const opt = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  const classes = [...new Set(docs.map((d) => d.label))].sort();
  const K = classes.length;
  const df = new Map<string, number>();
  for (const d of docs) for (const f of d.features.keys()) df.set(f, (df.get(f) ?? 0) + 1);
  const names = [...df.entries()].filter(([, n]) => n >= opt.minDf).map(([f]) => f).sort();
  const index = new Map(names.map((f, i) => [f, i]));
  const N = docs.length;
  const idf = Float64Array.from(names, (f) => Math.log((1 + N) / (1 + df.get(f)!)) + 1);
  const X = docs.map((d) => vectorise(d.features, index, idf));
  const y = docs.map((d) => classes.indexOf(d.label));
  const classCount = classes.map((_, k) => y.filter((c) => c === k).length);
  const classWeight = classCount.map((n) => (opt.balanced ? N / (K * n) : 1));

  const sumV = new Float64Array(names.length * K);
  const sumBias = new Float64Array(K);
  for (let member = 0; member < Math.max(1, opt.ensemble); member++) {
    const { v, bias } = trainOne(X, y, names.length, K, classWeight, { ...opt, seed: opt.seed + member });
    for (let q = 0; q < v.length; q++) sumV[q] += v[q];
    for (let k = 0; k < K; k++) sumBias[k] += bias[k];
  }
  const members = Math.max(1, opt.ensemble);
  const v = sumV.map((x) => x / members);
  const bias = sumBias.map((x) => x / members);
  const scale = 1;

  const SCALE = 1000;
  const round = (x: number): number => Math.round(x * SCALE);
  const features: Record<string, number[]> = {};
  let kept = 0;
  names.forEach((f, i) => {
    const w = Array.from({ length: K }, (_, k) => v[i * K + k] * scale);
    if (Math.max(...w.map(Math.abs)) < opt.pruneBelow) return;
    features[f] = [round(idf[i]), ...w.map(round)];
    kept++;
  });
  return {
    kind: 'tfidf-softmax',
    version,
    classes,
    features,
    scale: SCALE,
    bias: Array.from(bias, (b) => b),
    meta: { documents: N, vocabulary: names.length, kept, options: opt },
  };
}

/**
 * The model's features keyed by the 64-bit feature hash of text-features.ts, laid out for few cache
 * misses and few instructions (a document probes about a thousand features, half of them absent from
 * the model):
 * - a blocked Bloom filter (two bits per feature in one 64-byte block, 128 KB: one cache line per check)
 *   that turns most absent features away;
 * - an open-addressing table filled to about 80 %, each slot holding [first half, second half, used,
 *   count] and then the feature's row [idf, weight per class…] (values times `scale`, 16-bit when they
 *   all fit), so a lookup and the weights it finds share one cache line (32 bytes a slot for 7 classes
 *   with 16-bit values). The count is scratch for one prediction.
 * The home slot, the Bloom block and its bits each come from one multiplication (Fibonacci hashing of
 * the halves), computed once per feature as the features are hashed (LinearClassifier.add).
 * The model file keeps its format; this layout is built when it is loaded.
 */
class HashedRows {
  /** 2^11 blocks of 512 bits (16 words, one 64-byte cache line): both bits of a feature are in its block. */
  private static readonly BLOCK_SHIFT = 32 - 11;
  private readonly bloom = new Int32Array((1 << 11) * 16);
  private readonly slots: Int32Array;
  private readonly mask: number;
  /** Home slot of a hash: the top (32 - shift) bits of its first half times FIB. */
  readonly shift: number;
  /** 32-bit words per slot: 4 header words, then the row. */
  private readonly words: number;
  /** The rows, in the same buffer as `slots`: slot s's row starts at s * rowStride + rowOffset. */
  readonly data: Int16Array | Int32Array;
  readonly rowStride: number;
  readonly rowOffset: number;
  readonly size: number;

  constructor(features: Record<string, number[]>, K: number) {
    const names = Object.keys(features);
    this.size = names.length;
    let bits = 10;
    while ((1 << bits) * 0.8 < names.length) bits++;
    this.mask = (1 << bits) - 1;
    this.shift = 32 - bits;
    let small = true;
    for (const name of names) {
      const row = features[name];
      if (!Array.isArray(row) || row.length !== K + 1 || !row.every((v) => Number.isInteger(v) && Math.abs(v) < 2 ** 31)) {
        throw new Error(`feature ${JSON.stringify(name)} needs ${K + 1} integers (idf and one weight per class, times scale)`);
      }
      if (!row.every((v) => v >= -32768 && v <= 32767)) small = false;
    }
    this.words = 4 + (small ? Math.ceil((K + 1) / 2) : K + 1);
    this.slots = new Int32Array((1 << bits) * this.words);
    this.data = small ? new Int16Array(this.slots.buffer) : this.slots;
    this.rowStride = small ? 2 * this.words : this.words;
    this.rowOffset = small ? 8 : 4;
    const { words } = this;
    names.forEach((name) => {
      const [a, b] = hashFeature(name);
      const found = this.findSlot(a, b, this.home(a));
      if (found !== -1) throw new Error(`features ${JSON.stringify(this.nameAt(names, found))} and ${JSON.stringify(name)} have the same hash`);
      let slot = this.home(a);
      while (this.slots[words * slot + 2] !== 0) slot = (slot + 1) & this.mask;
      this.slots[words * slot] = a;
      this.slots[words * slot + 1] = b;
      this.slots[words * slot + 2] = 1;
      this.data.set(features[name], slot * this.rowStride + this.rowOffset);
      const block = (Math.imul(b, 0x85ebca6b) >>> HashedRows.BLOCK_SHIFT) << 4;
      const h = Math.imul(a ^ b, 0xcc9e2d51);
      this.bloom[block | ((h >>> 5) & 15)] |= 1 << (h & 31);
      this.bloom[block | ((h >>> 14) & 15)] |= 1 << ((h >>> 9) & 31);
    });
  }

  /** The name stored in a slot (for the collision message only). */
  private nameAt(names: readonly string[], slot: number): string | undefined {
    const { slots, words } = this;
    return names.find((n) => {
      const [a, b] = hashFeature(n);
      return slots[words * slot] === a && slots[words * slot + 1] === b;
    });
  }

  /** Whether a feature hash may be in the model (false: certainly not). */
  mayHave(a: number, b: number): boolean {
    const block = (Math.imul(b, 0x85ebca6b) >>> HashedRows.BLOCK_SHIFT) << 4;
    const h = Math.imul(a ^ b, 0xcc9e2d51);
    return (this.bloom[block | ((h >>> 5) & 15)] & (1 << (h & 31))) !== 0 && (this.bloom[block | ((h >>> 14) & 15)] & (1 << ((h >>> 9) & 31))) !== 0;
  }

  /** The home slot of a feature hash whose first half is `a`. */
  home(a: number): number {
    return Math.imul(a, FIB) >>> this.shift;
  }

  /**
   * Reads the home slot of each of the first n features and discards it: independent loads that the
   * CPU overlaps, so the probes that follow mostly find their cache lines already fetched.
   */
  warm(home: Int32Array, n: number): number {
    const { slots, words } = this;
    let sink = 0;
    for (let i = 0; i < n; i++) sink ^= slots[words * home[i]];
    return sink;
  }

  /** The slot of a feature hash (given its home slot), or -1. */
  findSlot(a: number, b: number, home: number): number {
    const { slots, mask, words } = this;
    for (let slot = home; ; slot = (slot + 1) & mask) {
      const at = words * slot;
      if (slots[at + 2] === 0) return -1;
      if (slots[at] === a && slots[at + 1] === b) return slot;
    }
  }

  /** Adds to the scratch count of a slot; returns the count before. */
  addCount(slot: number, count: number): number {
    const at = this.words * slot + 3;
    const before = this.slots[at];
    this.slots[at] = before + count;
    return before;
  }

  /** Takes a slot's scratch count, leaving 0. */
  takeCount(slot: number): number {
    const at = this.words * slot + 3;
    const n = this.slots[at];
    this.slots[at] = 0;
    return n;
  }
}

/** 2^32 / golden ratio (Fibonacci hashing: the top bits of a hash times it pick a home slot). */
const FIB = 0x9e3779b1;

/** 1 + ln n for small counts (the same numbers Math.log gives, looked up). */
const ONE_PLUS_LOG = Float64Array.from({ length: 64 }, (_, n) => 1 + Math.log(n));

/** A loaded model: predicts the class of a document's features. */
export class LinearClassifier implements HashedFeatureSink {
  private readonly K: number;
  private readonly rows: HashedRows;
  /**
   * Scratch for one prediction: the document's features that pass the Bloom filter, in order (hash
   * halves, home slot, count), then the slots met.
   */
  private hashA = new Int32Array(4096);
  private hashB = new Int32Array(4096);
  private home = new Int32Array(4096);
  private weight = new Int32Array(4096);
  private nHashes = 0;
  private touched = new Int32Array(4096);
  private vals = new Float64Array(4096);
  /** Where HashedRows.warm's loads go, so they are not optimised away. */
  private sink = 0;

  constructor(readonly model: LinearModelFile) {
    this.K = model.classes.length;
    if (!Array.isArray(model.bias) || model.bias.length !== this.K) throw new Error(`the model has ${this.K} classes but ${model.bias?.length} intercepts`);
    this.rows = new HashedRows(model.features, this.K);
  }

  get version(): string {
    return this.model.version;
  }

  /**
   * Feature sink (see hashedFeatures): one occurrence (or `count`) of a feature hash, in document
   * order. Features the Bloom filter turns away are dropped here (they are not in the model).
   */
  add(a: number, b: number, count: number): void {
    if (!this.rows.mayHave(a, b)) return;
    if (this.nHashes === this.hashA.length) this.grow();
    this.hashA[this.nHashes] = a;
    this.hashB[this.nHashes] = b;
    this.home[this.nHashes] = this.rows.home(a);
    this.weight[this.nHashes++] = count;
  }

  private grow(): void {
    const grow = (x: Int32Array): Int32Array<ArrayBuffer> => {
      const y = new Int32Array(x.length * 2);
      y.set(x);
      return y;
    };
    this.hashA = grow(this.hashA);
    this.hashB = grow(this.hashB);
    this.home = grow(this.home);
    this.weight = grow(this.weight);
  }

  /** The class of a document given as feature counts (as `textFeatures` builds them). */
  predict(features: Map<string, number>): Prediction {
    this.nHashes = 0;
    for (const [f, tf] of features) {
      if (!Number.isInteger(tf) || tf < 1) throw new Error(`feature ${JSON.stringify(f)}: counts are whole numbers from 1`);
      const [a, b] = hashFeature(f);
      this.add(a, b, tf);
    }
    return this.predictCounted();
  }

  /**
   * The class of a document from its normalised title and body and their words (the features of
   * `featuresFromWords`, hashed without building strings). The same prediction as
   * `predict(featuresFromWords(…))`, to the last bit.
   */
  predictWords(title: string, titleWords: readonly string[], body: string, bodyWords: readonly string[]): Prediction {
    this.nHashes = 0;
    hashedFeatures(title, titleWords, body, bodyWords, this);
    return this.predictCounted();
  }

  /**
   * Counts the model's features among the collected hashes (rows in the order first met, as the Map
   * of textFeatures holds them), then TF-IDF (1 + ln tf), L2-normalised, times the weights; softmax.
   */
  private predictCounted(): Prediction {
    const { K, rows, hashA, hashB, home, weight, nHashes } = this;
    if (this.touched.length < nHashes) {
      this.touched = new Int32Array(this.hashA.length);
      this.vals = new Float64Array(this.hashA.length);
    }
    const { touched, vals } = this;
    this.sink ^= rows.warm(home, nHashes);
    let nTouched = 0;
    for (let i = 0; i < nHashes; i++) {
      const slot = rows.findSlot(hashA[i], hashB[i], home[i]);
      if (slot === -1) continue;
      if (rows.addCount(slot, weight[i]) === 0) touched[nTouched++] = slot;
    }
    const { data, rowStride, rowOffset } = rows;
    const scale = this.model.scale;
    const z = Float64Array.from(this.model.bias);
    let norm = 0;
    for (let p = 0; p < nTouched; p++) {
      const n = rows.takeCount(touched[p]);
      const x = ((n < ONE_PLUS_LOG.length ? ONE_PLUS_LOG[n] : 1 + Math.log(n)) * data[touched[p] * rowStride + rowOffset]) / scale;
      vals[p] = x;
      norm += x * x;
    }
    norm = Math.sqrt(norm) || 1;
    for (let p = 0; p < nTouched; p++) {
      const base = touched[p] * rowStride + rowOffset + 1;
      const x = vals[p] / norm / scale;
      for (let k = 0; k < K; k++) z[k] += data[base + k] * x;
    }
    softmaxInPlace(z);
    let best = 0;
    for (let k = 1; k < K; k++) if (z[k] > z[best]) best = k;
    const scores: Record<string, number> = {};
    this.model.classes.forEach((c, k) => (scores[c] = z[k]));
    return { label: this.model.classes[best], probability: z[best], scores };
  }
}
