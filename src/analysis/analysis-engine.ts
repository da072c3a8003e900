import type { Gazetteer, Location } from '../areas/gazetteer';
import type { TermHit } from '../rules/keyword-rule';
import type { RuleSet } from '../rules/rule-set';
import type { AnalysisResources } from './analysis-resources';
import type { Category } from './classifier/taxonomy';
import { Heat, scoreHeat } from './heat';
import { topKeywordsOfParts } from './keywords';
import { mayHoldPlaceInWords, titleBodyPlaceCandidates } from './place-candidates';
import { segmenter, TaggedWord, wordStarts } from './segmenter';
import { textSimhash } from './simhash';
import { normalizeText } from './text-normalizer';
import { TaxonomyMatch } from './classifier/taxonomy';

export interface EngineInput {
  title: string | null;
  body: string;
  replies?: number | null;
  likes?: number | null;
  defaultAreaId?: number | null;
}

export interface EngineContext {
  resources: AnalysisResources;
  gazetteer?: { gazetteer: Gazetteer; depth: (areaId: number) => number };
  /** Ids and codes of an area and its ancestors (for area: conditions in rules). */
  areaPath?: (areaId: number) => string[];
  rules?: RuleSet<number>;
}

export interface EngineResult {
  title: string;
  body: string;
  text: string;
  keywords: string[];
  location: Location | null;
  category: Category;
  /** Dispute types of any domain whose terms occur, strongest first (for grouping). */
  topics: string[];
  heat: Heat;
  placeCandidates: string[];
  simhash: string;
  /** Rule ids that fired, with their evidence (in the order the rule set holds them). */
  fired: { ruleId: number; hits: TermHit[] }[];
}

/** Posts analysed together go through the stages in chunks of this many (see analyseTexts). */
export const ANALYSIS_CHUNK = 64;

/** The pipeline for one post: analyseTexts of a batch of one. */
export function analyseText(input: EngineInput, ctx: EngineContext): EngineResult {
  return analyseTexts([input], ctx)[0];
}

/**
 * The per-post pipeline, pure apart from the process-wide segmenter: normalise, segment once
 * (title and body), keywords, locate, categorise, heat, place candidates, SimHash, rules. The
 * service, `npm run eval:hot` and `npm run bench:analysis` all run this same code.
 *
 * Each post's result is what it would be alone; only the order of the work differs: a chunk of posts
 * (ANALYSIS_CHUNK) goes through one stage before the next stage starts, so a stage's code and tables
 * (jieba's dictionary, the classifier's 4 MB of weights, the term automata) stay in the CPU caches from
 * one post to the next instead of being pushed out by the other stages every post. On a 2-core
 * machine that makes a batch 10–20 % faster than the same posts one at a time.
 */
export function analyseTexts(inputs: readonly EngineInput[], ctx: EngineContext): EngineResult[] {
  const results: EngineResult[] = new Array(inputs.length);
  for (let from = 0; from < inputs.length; from += ANALYSIS_CHUNK) analyseChunk(inputs, from, Math.min(inputs.length, from + ANALYSIS_CHUNK), ctx, results);
  return results;
}

/** analyseTexts over inputs[from, to), stage by stage, into results[from, to). */
function analyseChunk(inputs: readonly EngineInput[], from: number, to: number, ctx: EngineContext, results: EngineResult[]): void {
  const n = to - from;
  const titles: string[] = new Array(n);
  const bodies: string[] = new Array(n);
  const texts: string[] = new Array(n);
  for (let k = 0; k < n; k++) {
    titles[k] = normalizeText(inputs[from + k].title ?? '');
    bodies[k] = normalizeText(inputs[from + k].body ?? '');
    texts[k] = `${titles[k]}\n${bodies[k]}`;
  }
  // One segmentation (cut) of title and body in one call; the short title is also tagged for jieba's place tags (ns),
  // unless its words (tag cuts as cut does) could give no place candidate (then the tags are not needed).
  const titleWords: string[][] = new Array(n);
  const bodyWords: string[][] = new Array(n);
  for (let k = 0; k < n; k++) [titleWords[k], bodyWords[k]] = segmenter.cutPair(titles[k], bodies[k]);
  const titleTagged: TaggedWord[][] = new Array(n);
  for (let k = 0; k < n; k++) titleTagged[k] = mayHoldPlaceInWords(titles[k], titleWords[k], mayTagLongPlace) ? segmenter.tag(titles[k]) : [];

  const keywords: string[][] = new Array(n);
  const idf = ctx.resources.idf;
  for (let k = 0; k < n; k++) keywords[k] = idf ? topKeywordsOfParts([titleWords[k], bodyWords[k]], idf, 8) : segmenter.keywords(texts[k], 8);
  const locations: (Location | null)[] = new Array(n);
  for (let k = 0; k < n; k++) locations[k] = ctx.gazetteer ? ctx.gazetteer.gazetteer.locate(titles[k], bodies[k], ctx.gazetteer.depth, inputs[from + k].defaultAreaId ?? null) : null;

  const classifier = ctx.resources.category;
  const categories: Category[] = new Array(n);
  const lexicons: TaxonomyMatch[] = new Array(n);
  for (let k = 0; k < n; k++) {
    // Hashed features of these words (no feature strings): the same prediction as predict(featuresFromWords(…)).
    const prediction = classifier.classifier.predictWords(titles[k], titleWords[k], bodies[k], bodyWords[k]);
    categories[k] = { domain: prediction.label, type: null, confidence: Math.round(prediction.probability * 1000) / 1000, terms: [] };
  }
  for (let k = 0; k < n; k++) {
    lexicons[k] = new TaxonomyMatch(classifier.taxonomy, titles[k], bodies[k]);
    const chosen = lexicons[k].chooseType(categories[k].domain);
    categories[k].type = chosen.type;
    categories[k].terms = chosen.terms;
  }

  const heats: Heat[] = new Array(n);
  for (let k = 0; k < n; k++) heats[k] = scoreHeat({ text: texts[k], replies: inputs[from + k].replies, likes: inputs[from + k].likes }, ctx.resources.heat);
  const isKnown = (name: string) => (ctx.gazetteer ? ctx.gazetteer.gazetteer.isAlias(name) : false);
  const places: string[][] = new Array(n);
  for (let k = 0; k < n; k++) places[k] = titleBodyPlaceCandidates(titleTagged[k], bodyWords[k], isKnown);
  const simhashes: string[] = new Array(n);
  for (let k = 0; k < n; k++) simhashes[k] = textSimhash(texts[k]);

  const fired: EngineResult['fired'][] = new Array(n);
  for (let k = 0; k < n; k++) fired[k] = matchRules(ctx, titles[k], bodies[k], texts[k], titleWords[k], bodyWords[k], categories[k], locations[k], heats[k]);
  for (let k = 0; k < n; k++) {
    results[from + k] = {
      title: titles[k],
      body: bodies[k],
      text: texts[k],
      keywords: keywords[k],
      location: locations[k],
      category: categories[k],
      topics: lexicons[k].topicTypes(),
      heat: heats[k],
      placeCandidates: places[k],
      simhash: simhashes[k],
      fired: fired[k],
    };
  }
}

const mayTagLongPlace = (text: string): boolean => segmenter.mayTagLongPlace(text);

function matchRules(
  ctx: EngineContext,
  title: string,
  body: string,
  text: string,
  titleWords: string[],
  bodyWords: string[],
  category: Category,
  location: Location | null,
  heat: Heat,
): EngineResult['fired'] {
  if (!ctx.rules || ctx.rules.size === 0) return [];
  let starts: number[] | undefined;
  const tokenStarts = () => (starts ??= [...wordStarts(title, titleWords), ...wordStarts(body, bodyWords, title.length + 1)]);
  return ctx.rules
    .match({
      text,
      titleLength: title.length,
      tokenStarts,
      domain: category.domain,
      disputeType: category.type,
      areaPath: location && ctx.areaPath ? ctx.areaPath(location.areaId) : [],
      heat: heat.score,
    })
    .map((m) => ({ ruleId: m.key, hits: m.hits }));
}
