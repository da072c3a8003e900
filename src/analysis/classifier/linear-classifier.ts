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

/** A loaded model: predicts the class of a document's features. */
export class LinearClassifier {
  private readonly K: number;
  /** The model's features in a Map (much faster to probe than an object with 100k keys). */
  private readonly rows: Map<string, number[]>;

  constructor(readonly model: LinearModelFile) {
    this.K = model.classes.length;
    this.rows = new Map(Object.entries(model.features));
  }

  get version(): string {
    return this.model.version;
  }

  predict(features: Map<string, number>): Prediction {
    const { K } = this;
    const z = Float64Array.from(this.model.bias);
    const rows: number[][] = [];
    const vals: number[] = [];
    let norm = 0;
    for (const [f, tf] of features) {
      const row = this.rows.get(f);
      if (!row) continue;
      const x = (1 + Math.log(tf)) * row[0] / this.model.scale;
      rows.push(row);
      vals.push(x);
      norm += x * x;
    }
    norm = Math.sqrt(norm) || 1;
    rows.forEach((row, p) => {
      const x = vals[p] / norm / this.model.scale;
      for (let k = 0; k < K; k++) z[k] += row[k + 1] * x;
    });
    softmaxInPlace(z);
    let best = 0;
    for (let k = 1; k < K; k++) if (z[k] > z[best]) best = k;
    const scores: Record<string, number> = {};
    this.model.classes.forEach((c, k) => (scores[c] = z[k]));
    return { label: this.model.classes[best], probability: z[best], scores };
  }
}
