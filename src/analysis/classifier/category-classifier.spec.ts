import { join } from 'node:path';
import { CategoryClassifier, loadModelFile } from './category-classifier';
import { documentWords, featuresFromWords, readJsonl } from './corpus';
import { evaluate, formatReport } from './metrics';
import { chooseType, loadTaxonomy, TaxonomyError, TaxonomyMatch, taxonomyTerms, validateTaxonomy } from './taxonomy';
import { LinearClassifier, trainLinearModel } from './linear-classifier';
import { textFeatures } from './text-features';

const root = join(__dirname, '../../..');
const taxonomy = loadTaxonomy(join(root, 'config/taxonomy.yaml'));

describe('taxonomy', () => {
  it('has the seven domains of the evaluation data, each with dispute types', () => {
    expect(taxonomy.domains.map((d) => d.name).sort()).toEqual(['交通运输', '劳动和社会保障', '卫生计生', '商贸旅游', '城乡建设', '教育文体', '环境保护'].sort());
    for (const d of taxonomy.domains) expect(d.types.length).toBeGreaterThan(0);
  });

  it.each([
    ['城乡建设', '物业又涨物业费', '', '物业纠纷'],
    ['环境保护', '', '楼下烧烤店的噪音扰民，太吵', '噪音扰民'],
    ['环境保护', '油烟', '噪音', '油烟'],
    ['劳动和社会保障', '', '工地拖欠工资半年', '欠薪'],
    ['城乡建设', '', '今天天气不错', null],
  ])('%s: %s|%s → %s', (domain, title, body, type) => {
    expect(chooseType(taxonomy, domain, title, body).type).toBe(type);
  });

  it('counts terms in one pass as repeated indexOf would (non-overlapping, title double)', () => {
    const indexOfCount = (text: string, term: string) => {
      let n = 0;
      for (let at = text.indexOf(term); at !== -1; at = text.indexOf(term, at + term.length)) n++;
      return n;
    };
    const dev = readJsonl(join(root, '../shared/eval/messages.dev.jsonl')).slice(0, 200);
    const terms = [...new Set(taxonomyTerms(taxonomy))];
    for (const m of [...dev, { title: '噪音噪音噪音', body: '扰民扰民 物业物业费物业' }]) {
      const match = new TaxonomyMatch(taxonomy, m.title ?? '', m.body);
      for (const term of terms) expect([term, match.count(term)]).toEqual([term, 2 * indexOfCount(m.title ?? '', term) + indexOfCount(m.body, term)]);
    }
  });

  it.each([
    [{}, 'domains'],
    [{ domains: [{ name: '' }] }, 'domains[0].name'],
    [{ domains: [{ name: 'a', types: [{ name: 't', terms: [] }] }] }, 'domains[0].types[0].terms'],
    [{ domains: [{ name: 'a' }, { name: 'a' }] }, 'duplicate'],
  ])('rejects %j naming %s', (input, where) => {
    expect(() => validateTaxonomy(input)).toThrow(TaxonomyError);
    expect(() => validateTaxonomy(input)).toThrow(where);
  });
});

describe('linear classifier', () => {
  it('learns a separable toy problem deterministically', () => {
    const docs = ['噪音 扰民 半夜', '噪音 太吵', '欠薪 工资', '工资 拖欠 欠薪'].map((t, i) => ({
      features: textFeatures(t, t.split(' ')),
      label: i < 2 ? 'noise' : 'wage',
    }));
    const a = trainLinearModel([...docs, ...docs], 't', { minDf: 1, pruneBelow: 0 });
    const b = trainLinearModel([...docs, ...docs], 't', { minDf: 1, pruneBelow: 0 });
    expect(a).toEqual(b);
    const c = new LinearClassifier(a);
    expect(c.predict(textFeatures('半夜噪音', ['半夜', '噪音'])).label).toBe('noise');
    expect(c.predict(textFeatures('拖欠工资', ['拖欠', '工资'])).label).toBe('wage');
  });
});

describe('the committed category model on the dev file', () => {
  const model = loadModelFile(join(root, 'config/models/category-v1.json'));
  const classifier = new CategoryClassifier(model, taxonomy);

  it('predicts from hashed features exactly what it predicts from feature strings', () => {
    const dev = readJsonl(join(root, '../shared/eval/messages.dev.jsonl')).slice(0, 400);
    for (const m of dev) {
      const d = documentWords(m.title, m.body);
      const viaStrings = classifier.classifier.predict(featuresFromWords(d.title, d.titleWords, d.body, d.bodyWords));
      expect(classifier.classifier.predictWords(d.title, d.titleWords, d.body, d.bodyWords)).toEqual(viaStrings);
    }
  });

  it('refuses a model whose rows do not fit its classes', () => {
    expect(() => new LinearClassifier({ ...model, features: { w物业: [1, 2] } })).toThrow('needs 8 integers');
  });

  it('was trained on the train file only', () => {
    expect(model.meta.trainedOn).toBe('messages.train.jsonl');
  });

  it('reaches a macro-F1 of at least 0.90', () => {
    const dev = readJsonl(join(root, '../shared/eval/messages.dev.jsonl'));
    expect(dev.length).toBeGreaterThan(1000);
    const predicted = dev.map((m) => classifier.classify(m.title ?? '', m.body).domain);
    const report = evaluate(dev.map((m) => m.label!), predicted, model.classes);
    if (report.macroF1 < 0.9) console.log(formatReport(report));
    expect(report.macroF1).toBeGreaterThanOrEqual(0.9);
  });
});
