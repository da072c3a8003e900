export interface ClassReport {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface EvaluationReport {
  classes: string[];
  perClass: ClassReport[];
  macroF1: number;
  accuracy: number;
  /** confusion[i][j]: documents of true class i predicted as class j. */
  confusion: number[][];
}

/** Precision, recall, F1 per class, macro-F1, accuracy and the confusion matrix. */
export function evaluate(gold: readonly string[], predicted: readonly string[], classes?: readonly string[]): EvaluationReport {
  if (gold.length !== predicted.length) throw new Error('gold and predicted differ in length');
  const labels = [...(classes ?? [...new Set([...gold, ...predicted])].sort())];
  const at = new Map(labels.map((l, i) => [l, i]));
  const confusion = labels.map(() => labels.map(() => 0));
  gold.forEach((g, n) => confusion[at.get(g)!][at.get(predicted[n])!]++);
  const perClass = labels.map((label, i) => {
    const tp = confusion[i][i];
    const support = confusion[i].reduce((a, b) => a + b, 0);
    const predictedCount = confusion.reduce((a, row) => a + row[i], 0);
    const precision = predictedCount ? tp / predictedCount : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    return { label, precision, recall, f1, support };
  });
  const correct = labels.reduce((a, _, i) => a + confusion[i][i], 0);
  return {
    classes: labels,
    perClass,
    macroF1: perClass.reduce((a, c) => a + c.f1, 0) / (perClass.length || 1),
    accuracy: gold.length ? correct / gold.length : 0,
    confusion,
  };
}

/** The report as the eval command prints it; the last line is `macro-F1: <value>`. */
export function formatReport(report: EvaluationReport): string {
  const f = (x: number): string => x.toFixed(4);
  const width = Math.max(8, ...report.classes.map((c) => c.length * 2));
  const pad = (s: string, n: number): string => s + ' '.repeat(Math.max(0, n - [...s].reduce((a, ch) => a + (ch.charCodeAt(0) > 0x2e80 ? 2 : 1), 0)));
  const lines = [`${pad('category', width)}  precision  recall     f1         support`];
  for (const c of report.perClass) lines.push(`${pad(c.label, width)}  ${f(c.precision)}     ${f(c.recall)}     ${f(c.f1)}     ${c.support}`);
  lines.push('', `accuracy: ${f(report.accuracy)}`, '', 'confusion matrix (rows: true, columns: predicted, in the order above):');
  report.classes.forEach((c, i) => lines.push(`${pad(c, width)}  ${report.confusion[i].map((n) => String(n).padStart(5)).join('')}`));
  lines.push('', `macro-F1: ${f(report.macroF1)}`);
  return lines.join('\n');
}
