import { LinearClassifier, LinearModelFile } from './linear-classifier';

/** TF-IDF (1 + ln tf), L2-normalised, times the weights, softmax: straight from the model's record. */
function referenceScores(model: LinearModelFile, counts: Map<string, number>): number[] {
  const K = model.classes.length;
  const z = Float64Array.from(model.bias);
  const rows: { x: number; row: number[] }[] = [];
  let norm = 0;
  for (const [f, n] of counts) {
    const row = model.features[f];
    if (!row) continue;
    const x = ((1 + Math.log(n)) * row[0]) / model.scale;
    rows.push({ x, row });
    norm += x * x;
  }
  norm = Math.sqrt(norm) || 1;
  for (const { x, row } of rows) for (let k = 0; k < K; k++) z[k] += row[k + 1] * (x / norm / model.scale);
  const max = Math.max(...z);
  const e = Array.from(z, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

describe('the hashed feature table', () => {
  let s = 17;
  const random = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const name = (i: number) => `c${String.fromCharCode(0x4e00 + (i % 3000), 0x4e00 + Math.floor(i / 3000))}`;
  const features: Record<string, number[]> = {};
  // Enough features for a table of several thousand slots (probe chains, Bloom blocks shared).
  for (let i = 0; i < 6000; i++) features[name(i)] = [1000 + Math.floor(random() * 4000), ...Array.from({ length: 3 }, () => Math.floor(random() * 20000) - 10000)];
  const model: LinearModelFile = { kind: 'tfidf-softmax', version: 't', classes: ['x', 'y', 'z'], features, scale: 1000, bias: [0.1, 0, -0.1], meta: {} };
  const classifier = new LinearClassifier(model);

  it('finds every model feature and no other, with the counts of the document', () => {
    for (let d = 0; d < 300; d++) {
      const counts = new Map<string, number>();
      for (let j = Math.floor(random() * 400); j > 0; j--) {
        // Model features and others (indices past the model), some repeated.
        const f = name(Math.floor(random() * 9000));
        counts.set(f, (counts.get(f) ?? 0) + 1 + Math.floor(random() * 2));
      }
      const got = classifier.predict(counts);
      const want = referenceScores(model, counts);
      model.classes.forEach((c, k) => expect(got.scores[c]).toBeCloseTo(want[k], 12));
    }
  });

});
