import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { Gazetteer } from '../areas/gazetteer';
import { loadConfig } from '../config/config.loader';
import { parseRuleExpression } from '../rules/rule-expression';
import { RuleSet } from '../rules/rule-set';
import { ANALYSIS_CHUNK, analyseText, analyseTexts, EngineContext, EngineInput, EngineResult } from './analysis-engine';
import { loadAnalysisResources } from './analysis-resources';
import { readJsonl } from './classifier/corpus';
import { TaxonomyMatch } from './classifier/taxonomy';
import { scoreHeat } from './heat';
import { topKeywordsOfParts } from './keywords';
import { mayHoldPlaceInWords, titleBodyPlaceCandidates } from './place-candidates';
import { segmenter, wordStarts } from './segmenter';
import { textSimhash } from './simhash';
import { normalizeText } from './text-normalizer';

const root = join(__dirname, '../..');

/** The demo district's gazetteer (ids in tree order) and rules that read every stage's output. */
function context(): EngineContext {
  const config = loadConfig({ auth: { secret: 'x'.repeat(32) } }, {});
  const resources = loadAnalysisResources({ root, ...config.analysis });
  const demo = load(readFileSync(join(root, 'config/demo/jiangdong.yaml'), 'utf8')) as { areas: Node };
  type Node = { aliases?: string[]; children?: Node[] };
  const entries: { alias: string; areaId: number }[] = [];
  let nextId = 1;
  const walk = (node: Node) => {
    const id = nextId++;
    for (const a of node.aliases ?? []) entries.push({ alias: normalizeText(a), areaId: id });
    for (const c of node.children ?? []) walk(c);
  };
  walk(demo.areas);
  segmenter.addWords(entries.map((e) => e.alias));
  const rules = new RuleSet(
    [
      '(物业|业委会) & (乱收费|不作为|涨价) & !招聘',
      '(噪音|噪声|扰民) & (凌晨|半夜|深夜|施工)',
      'NEAR(强拆, 小区, 10)',
      'title:(投诉|举报) & heat>=20',
      'category:城乡建设 & (小区|物业)',
      'area:3 & (噪音|停车)',
      '/\\d{3,}/ & 电话',
    ].map((source, key) => ({ key, expr: parseRuleExpression(source) })),
  );
  segmenter.addWords(rules.terms);
  return { resources, gazetteer: { gazetteer: new Gazetteer(entries), depth: (id) => id % 4 }, areaPath: (id) => [String(id), String(id % 3)], rules };
}

/** The pipeline written out for one post, step after step (the engine before batches): the oracle. */
function referenceAnalyse(input: EngineInput, ctx: EngineContext): EngineResult {
  const title = normalizeText(input.title ?? '');
  const body = normalizeText(input.body ?? '');
  const text = `${title}\n${body}`;
  const [titleWords, bodyWords] = segmenter.cutPair(title, body);
  const titleTagged = mayHoldPlaceInWords(title, titleWords, (t) => segmenter.mayTagLongPlace(t)) ? segmenter.tag(title) : [];
  const keywords = topKeywordsOfParts([titleWords, bodyWords], ctx.resources.idf!, 8);
  const location = ctx.gazetteer!.gazetteer.locate(title, body, ctx.gazetteer!.depth, input.defaultAreaId ?? null);
  const prediction = ctx.resources.category.classifier.predictWords(title, titleWords, body, bodyWords);
  const lexicon = new TaxonomyMatch(ctx.resources.category.taxonomy, title, body);
  const chosen = lexicon.chooseType(prediction.label);
  const category = { domain: prediction.label, type: chosen.type, confidence: Math.round(prediction.probability * 1000) / 1000, terms: chosen.terms };
  const heat = scoreHeat({ text, replies: input.replies, likes: input.likes }, ctx.resources.heat);
  const placeCandidates = titleBodyPlaceCandidates(titleTagged, bodyWords, (name) => ctx.gazetteer!.gazetteer.isAlias(name));
  const simhash = textSimhash(text);
  const fired = ctx
    .rules!.match({
      text,
      titleLength: title.length,
      tokenStarts: () => [...wordStarts(title, titleWords), ...wordStarts(body, bodyWords, title.length + 1)],
      domain: category.domain,
      disputeType: category.type,
      areaPath: location ? ctx.areaPath!(location.areaId) : [],
      heat: heat.score,
    })
    .map((m) => ({ ruleId: m.key, hits: m.hits }));
  return { title, body, text, keywords, location, category, topics: lexicon.topicTypes(), heat, placeCandidates, simhash, fired };
}

describe('analyseTexts', () => {
  const ctx = context();

  it('gives every post of a batch, alone or in chunks, exactly what the pipeline written out for one post gives', () => {
    const messages = readJsonl(join(root, '../shared/eval/messages.dev.jsonl')).slice(0, 2 * ANALYSIS_CHUNK + 37);
    const inputs: EngineInput[] = messages.map((m, i) => ({ title: m.title ?? null, body: m.body, replies: i % 5, likes: i % 3 ? null : 40, defaultAreaId: i % 4 ? null : 1 + (i % 30) }));
    // Texts that take the other paths: empty, markup and entities, traditional characters, full-width, a phone number.
    inputs.splice(
      50,
      0,
      { title: null, body: '' },
      { title: '<b>投訴</b>', body: '<p>樓下裝修噪音&amp;半夜施工</p><br>凌晨還在響' },
      { title: 'ＡＢＣ小区物业', body: '物业乱收费！！！涨价不作为，电话13800001234' },
      { title: '', body: '   ' },
    );
    // Each result is serialised at once, so a result object shared or reused between posts would show.
    const batch = analyseTexts(inputs, ctx);
    expect(batch).toHaveLength(inputs.length);
    const batchJson = batch.map((r) => JSON.stringify(r));
    const aloneJson = inputs.map((input) => JSON.stringify(analyseText(input, ctx)));
    const referenceJson = inputs.map((input) => JSON.stringify(referenceAnalyse(input, ctx)));
    for (let i = 0; i < inputs.length; i++) {
      expect([i, batchJson[i]]).toEqual([i, referenceJson[i]]);
      expect([i, aloneJson[i]]).toEqual([i, referenceJson[i]]);
    }
    // The results are each input's own (not shifted within or across chunks), and the rules did fire.
    for (let i = 0; i < inputs.length; i++) expect(batch[i].body).toBe(normalizeText(inputs[i].body));
    expect(batch.filter((r) => r.fired.length > 0).length).toBeGreaterThan(5);
    expect(batch.filter((r) => r.location !== null).length).toBeGreaterThan(0);
  });

  it('answers an empty batch with no results', () => {
    expect(analyseTexts([], ctx)).toEqual([]);
  });
});
