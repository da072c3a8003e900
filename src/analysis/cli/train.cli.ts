import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig, projectRoot } from '../../config/config.loader';
import { mergeConfirmed, MergedTraining, trainingVersion } from '../classifier/confirmed-labels';
import { documentFeatures, readJsonl } from '../classifier/corpus';
import { loadTaxonomy } from '../classifier/taxonomy';
import { trainLinearModel } from '../classifier/linear-classifier';
import { fitIdf } from '../keywords';
import { segmenter } from '../segmenter';
import { normalizeText } from '../text-normalizer';
import { parseArgs, trainOptionsFromArgs } from './cli-args';
import { readConfirmedLabels } from './confirmed-training';

/**
 * npm run train -- [--input ../shared/eval/messages.train.jsonl] [--version v1] [--out config/models/category-v1.json]
 *                   [--corpus FILE,FILE…] [--idf-out config/models/idf-v1.json] [--with-confirmed]
 * Trains the domain classifier on labelled messages and writes the versioned model file that the
 * service loads at start-up (setting analysis.categoryModel), then fits the keyword IDF on the
 * corpus (default: the training file and messages.unlabeled.jsonl beside it; setting analysis.idfTable).
 * --with-confirmed adds the categories people confirmed on cases (table confirmed_labels in the
 * database of DATABASE_URL / the config), dispute types mapped to their domain through the taxonomy;
 * the version then becomes `<version>-confirmed-<digest of the labels>`.
 */
async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const input = args.input ?? '../shared/eval/messages.train.jsonl';
  const base = args.version ?? 'v1';
  if (!/^[a-z0-9][a-z0-9.-]*$/i.test(base)) throw new Error('--version must be letters, digits, dots and dashes');
  const started = Date.now();
  const raw = readFileSync(input);
  let messages = readJsonl(input).filter((m) => m.label);
  let confirmed: MergedTraining | undefined;
  if (args['with-confirmed'] !== undefined && args['with-confirmed'] !== 'false') {
    const config = loadConfig({ auth: { secret: 'the-train-command-signs-no-tokens-0000' } });
    const rows = await readConfirmedLabels(config.databaseUrl);
    confirmed = mergeConfirmed(messages, rows, loadTaxonomy(resolve(projectRoot(), config.analysis.taxonomy)));
    messages = confirmed.messages;
    console.log(`confirmed labels: ${confirmed.added} added, ${confirmed.skipped} skipped (category not in the taxonomy or text purged)`);
  }
  const version = trainingVersion(base, confirmed);
  const out = args.out ?? `config/models/category-${version}.json`;
  const model = trainLinearModel(
    messages.map((m) => ({ features: documentFeatures(m.title, m.body), label: m.label! })),
    version,
    trainOptionsFromArgs(args),
  );
  model.meta = {
    ...model.meta,
    trainedOn: input.split('/').pop(),
    trainingSha256: createHash('sha256').update(raw).digest('hex'),
    ...(confirmed ? { confirmedLabels: confirmed.added, confirmedDigest: confirmed.digest } : {}),
  };
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

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
