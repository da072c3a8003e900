import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { documentFeatures, readJsonl } from '../classifier/corpus';
import { trainLinearModel } from '../classifier/linear-classifier';
import { fitIdf } from '../keywords';
import { segmenter } from '../segmenter';
import { normalizeText } from '../text-normalizer';
import { parseArgs, trainOptionsFromArgs } from './cli-args';

/**
 * npm run train -- [--input ../shared/eval/messages.train.jsonl] [--version v1] [--out config/models/category-v1.json]
 *                   [--corpus FILE,FILE…] [--idf-out config/models/idf-v1.json]
 * Trains the domain classifier on labelled messages and writes the versioned model file that the
 * service loads at start-up (setting analysis.categoryModel), then fits the keyword IDF on the
 * corpus (default: the training file and messages.unlabeled.jsonl beside it; setting analysis.idfTable).
 */
function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const input = args.input ?? '../shared/eval/messages.train.jsonl';
  const version = args.version ?? 'v1';
  if (!/^[a-z0-9][a-z0-9.-]*$/i.test(version)) throw new Error('--version must be letters, digits, dots and dashes');
  const out = args.out ?? `config/models/category-${version}.json`;
  const started = Date.now();
  const raw = readFileSync(input);
  const messages = readJsonl(input).filter((m) => m.label);
  const model = trainLinearModel(
    messages.map((m) => ({ features: documentFeatures(m.title, m.body), label: m.label! })),
    version,
    trainOptionsFromArgs(args),
  );
  model.meta = { ...model.meta, trainedOn: input.split('/').pop(), trainingSha256: createHash('sha256').update(raw).digest('hex') };
  const json = JSON.stringify(model);
  writeFileSync(out, json);
  console.log(
    `model ${version}: ${messages.length} messages, ${Object.keys(model.features).length} features, ${(json.length / 1048576).toFixed(1)} MB → ${out} (${Date.now() - started} ms)`,
  );

  const corpus = (args.corpus ?? [input, input.replace(/[^/]*$/, 'messages.unlabeled.jsonl')].join(',')).split(',').filter((p) => p && existsSync(p));
  const idfOut = args['idf-out'] ?? `config/models/idf-${version}.json`;
  const documents = corpus.flatMap((p) => readJsonl(p)).map((m) => segmenter.tag(normalizeText(`${m.title ?? ''}\n${m.body}`)).map((w) => w.word));
  const idf = fitIdf(documents, version);
  writeFileSync(idfOut, JSON.stringify(idf));
  console.log(`idf ${version}: ${idf.documents} documents, ${Object.keys(idf.idf).length} words → ${idfOut}`);
}

main();
