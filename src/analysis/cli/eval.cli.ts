import { readFileSync } from 'node:fs';
import { documentFeatures, documentWords, readJsonl } from '../classifier/corpus';
import { LinearClassifier, LinearModelFile, trainLinearModel } from '../classifier/linear-classifier';
import { evaluate, formatReport } from '../classifier/metrics';
import { parseArgs, trainOptionsFromArgs } from './cli-args';

/**
 * npm run eval -- --train TRAIN.jsonl --input DEV.jsonl   (train in memory, then measure)
 * npm run eval -- --model config/models/category-v1.json --input DEV.jsonl   (measure a saved model)
 */
function main(): void {
  const args = parseArgs(process.argv.slice(2));
  if (!args.input || (!args.train && !args.model)) {
    console.error('usage: npm run eval -- (--train TRAIN.jsonl | --model MODEL.json) --input DEV.jsonl');
    process.exit(2);
  }
  const started = Date.now();
  let model: LinearModelFile;
  if (args.train) {
    const train = readJsonl(args.train).filter((m) => m.label);
    model = trainLinearModel(
      train.map((m) => ({ features: documentFeatures(m.title, m.body), label: m.label! })),
      'eval',
      trainOptionsFromArgs(args),
    );
    console.log(`trained on ${train.length} messages (${Date.now() - started} ms)`);
  } else {
    model = JSON.parse(readFileSync(args.model, 'utf8')) as LinearModelFile;
  }
  const classifier = new LinearClassifier(model);
  const dev = readJsonl(args.input).filter((m) => m.label);
  // The service's path: hashed features of one normalisation and one segmentation (as analyseText).
  const predicted = dev.map((m) => {
    const d = documentWords(m.title, m.body);
    return classifier.predictWords(d.title, d.titleWords, d.body, d.bodyWords).label;
  });
  console.log(`evaluated ${dev.length} messages (${Date.now() - started} ms in all)\n`);
  console.log(formatReport(evaluate(dev.map((m) => m.label!), predicted, model.classes)));
}

main();
