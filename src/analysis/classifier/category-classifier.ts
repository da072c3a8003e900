import { readFileSync } from 'node:fs';
import { documentWords } from './corpus';
import { LinearClassifier, LinearModelFile } from './linear-classifier';
import { Category, chooseType, Taxonomy } from './taxonomy';

/** Loads a model file written by `npm run train`; refuses files of another kind. */
export function loadModelFile(path: string): LinearModelFile {
  const model = JSON.parse(readFileSync(path, 'utf8')) as LinearModelFile;
  if (model.kind !== 'tfidf-softmax' || !Array.isArray(model.classes) || typeof model.features !== 'object') {
    throw new Error(`${path} is not a category model written by npm run train`);
  }
  return model;
}

/**
 * Two-level categorisation: the learned classifier picks the domain, the taxonomy's lexicon rules pick
 * the dispute type within it. Title and body are normalised text.
 */
export class CategoryClassifier {
  readonly classifier: LinearClassifier;

  constructor(
    model: LinearModelFile,
    readonly taxonomy: Taxonomy,
  ) {
    const unknown = model.classes.filter((c) => !taxonomy.domains.some((d) => d.name === c));
    if (unknown.length) throw new Error(`the category model knows domains the taxonomy lacks: ${unknown.join(', ')}`);
    this.classifier = new LinearClassifier(model);
  }

  get modelVersion(): string {
    return this.classifier.version;
  }

  classify(title: string, body: string): Category {
    const d = documentWords(title, body);
    const prediction = this.classifier.predictWords(d.title, d.titleWords, d.body, d.bodyWords);
    const { type, terms } = chooseType(this.taxonomy, prediction.label, title, body);
    return { domain: prediction.label, type, confidence: Math.round(prediction.probability * 1000) / 1000, terms };
  }
}
