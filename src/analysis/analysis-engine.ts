import type { Gazetteer, Location } from '../areas/gazetteer';
import type { TermHit } from '../rules/keyword-rule';
import type { RuleSet } from '../rules/rule-set';
import type { AnalysisResources } from './analysis-resources';
import type { Category } from './classifier/taxonomy';
import { Heat, scoreHeat } from './heat';
import { topKeywordsOfParts } from './keywords';
import { mayHoldPlaceInWords, titleBodyPlaceCandidates } from './place-candidates';
import { segmenter, wordStarts } from './segmenter';
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

/**
 * The per-post pipeline, pure apart from the process-wide segmenter: normalise, segment once
 * (title and body), keywords, locate, categorise, heat, place candidates, SimHash, rules. The
 * service, `npm run eval:hot` and `npm run bench:analysis` all run this same code.
 */
export function analyseText(input: EngineInput, ctx: EngineContext): EngineResult {
  const title = normalizeText(input.title ?? '');
  const body = normalizeText(input.body ?? '');
  const text = `${title}\n${body}`;
  // One segmentation (cut) of title and body in one call; the short title is also tagged for jieba's place tags (ns),
  // unless its words (tag cuts as cut does) could give no place candidate (then the tags are not needed).
  const [titleWords, bodyWords] = segmenter.cutPair(title, body);
  const titleTagged = mayHoldPlaceInWords(title, titleWords, (t) => segmenter.mayTagLongPlace(t)) ? segmenter.tag(title) : [];

  const keywords = ctx.resources.idf ? topKeywordsOfParts([titleWords, bodyWords], ctx.resources.idf, 8) : segmenter.keywords(text, 8);
  const location = ctx.gazetteer ? ctx.gazetteer.gazetteer.locate(title, body, ctx.gazetteer.depth, input.defaultAreaId ?? null) : null;

  const classifier = ctx.resources.category;
  // Hashed features of these words (no feature strings): the same prediction as predict(featuresFromWords(…)).
  const prediction = classifier.classifier.predictWords(title, titleWords, body, bodyWords);
  const lexicon = new TaxonomyMatch(classifier.taxonomy, title, body);
  const chosen = lexicon.chooseType(prediction.label);
  const category: Category = { domain: prediction.label, type: chosen.type, confidence: Math.round(prediction.probability * 1000) / 1000, terms: chosen.terms };

  const heat = scoreHeat({ text, replies: input.replies, likes: input.likes }, ctx.resources.heat);
  const isKnown = (name: string) => (ctx.gazetteer ? ctx.gazetteer.gazetteer.isAlias(name) : false);
  const places = titleBodyPlaceCandidates(titleTagged, bodyWords, isKnown);
  const simhash = textSimhash(text);

  let fired: EngineResult['fired'] = [];
  if (ctx.rules && ctx.rules.size > 0) {
    let starts: number[] | undefined;
    const tokenStarts = () => (starts ??= [...wordStarts(title, titleWords), ...wordStarts(body, bodyWords, title.length + 1)]);
    fired = ctx.rules
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
  const topics = lexicon.topicTypes();
  return { title, body, text, keywords, location, category, topics, heat, placeCandidates: places, simhash, fired };
}
