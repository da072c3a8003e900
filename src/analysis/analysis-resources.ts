import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CategoryClassifier, loadModelFile } from './classifier/category-classifier';
import { loadTaxonomy, taxonomyTerms } from './classifier/taxonomy';
import { HeatLexicon, loadHeatLexicon } from './heat';
import { IdfTable } from './keywords';
import { segmenter } from './segmenter';

/** The files the pipeline needs, loaded once per process. */
export interface AnalysisResources {
  category: CategoryClassifier;
  heat: HeatLexicon;
  idf: IdfTable | null;
}

export interface ResourcePaths {
  root: string;
  categoryModel: string;
  idfTable: string;
  taxonomy: string;
  lexiconDir: string;
}

/** Words of the *.txt lexicons (one a line, # comments). */
export function lexiconWords(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n'))
    .map((line) => line.replace(/#.*/, '').trim())
    .filter(Boolean);
}

/**
 * Loads the category model, taxonomy, heat lexicon and corpus IDF, and teaches the segmenter the
 * lexicon words (taxonomy terms, heat terms, config/lexicons/*.txt). A missing or broken model file
 * stops start-up with a message naming it; a missing IDF table falls back to jieba's own IDF.
 */
export function loadAnalysisResources(paths: ResourcePaths): AnalysisResources {
  const at = (p: string) => resolve(paths.root, p);
  let category: CategoryClassifier;
  try {
    category = new CategoryClassifier(loadModelFile(at(paths.categoryModel)), loadTaxonomy(at(paths.taxonomy)));
  } catch (error) {
    throw new Error(`analysis.categoryModel / analysis.taxonomy could not be loaded: ${(error as Error).message}`);
  }
  const heat = loadHeatLexicon(join(at(paths.lexiconDir), 'heat.yaml'));
  const idfPath = at(paths.idfTable);
  const idf = existsSync(idfPath) ? (JSON.parse(readFileSync(idfPath, 'utf8')) as IdfTable) : null;
  segmenter.addWords([...taxonomyTerms(category.taxonomy), ...Object.values(heat.signals).flatMap((s) => s.terms), ...lexiconWords(at(paths.lexiconDir))]);
  return { category, heat, idf };
}

let cached: { key: string; resources: AnalysisResources } | undefined;

/** Per-process cache of loadAnalysisResources. */
export function analysisResources(paths: ResourcePaths): AnalysisResources {
  const key = JSON.stringify(paths);
  if (!cached || cached.key !== key) cached = { key, resources: loadAnalysisResources(paths) };
  return cached.resources;
}
