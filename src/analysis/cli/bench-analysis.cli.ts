import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { Gazetteer } from '../../areas/gazetteer';
import { loadConfig, projectRoot } from '../../config/config.loader';
import { DryRun, DryRunPost } from '../../rules/dry-run';
import { parseRuleExpression, RuleExpr } from '../../rules/rule-expression';
import { RuleSet } from '../../rules/rule-set';
import { ANALYSIS_CHUNK, analyseText, analyseTexts } from '../analysis-engine';
import { loadAnalysisResources } from '../analysis-resources';
import { readJsonl } from '../classifier/corpus';
import { segmenter } from '../segmenter';
import { normalizeText } from '../text-normalizer';
import { parseArgs } from './cli-args';
import { seededRandom } from '../classifier/linear-classifier';

/**
 * npm run bench:analysis -- [--input ../shared/eval/messages.unlabeled.jsonl] [--posts 1000000]
 *
 * Posts per second through the whole per-post pipeline (analyseTexts, over batches as the worker runs it) with 10 and with 5,000 rules,
 * and raw nodejieba segmentation of the same texts in the same run as the reference; then a dry-run
 * of one rule over generated posts (1,000,000 by default) held in memory.
 */

const BASE_RULES = [
  '(物业|业委会) & (乱收费|不作为|涨价) & !招聘',
  '(噪音|噪声|扰民) & (凌晨|半夜|深夜|施工)',
  '(违建|违章搭建|私搭乱建) & !出租',
  '(拆迁|征收|强拆) & (补偿|安置)',
  '(欠薪|拖欠工资|讨薪)',
  '(停车|车位) & (占用|地锁|乱停)',
  '(油烟|烧烤) & (扰民|熏|排放)',
  '(垃圾|清运) & (臭|堆积|没人管)',
  'NEAR(强拆, 小区, 10)',
  'title:(投诉|举报) & heat>=20',
];

function time<T>(fn: () => T): { ms: number; value: T } {
  const started = process.hrtime.bigint();
  const value = fn();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const input = args.input ?? '../shared/eval/messages.unlabeled.jsonl';
  const postsForDryRun = Number(args.posts ?? 1_000_000);
  const config = loadConfig({ auth: { secret: 'x'.repeat(32) } }, {});
  const root = projectRoot();
  const resources = loadAnalysisResources({ root, ...config.analysis });
  const demo = load(readFileSync(join(root, 'config/demo/jiangdong.yaml'), 'utf8')) as { areas: { aliases?: string[]; children?: unknown[] } };
  const entries: { alias: string; areaId: number }[] = [];
  let nextId = 1;
  const walk = (node: { aliases?: string[]; children?: unknown[] }) => {
    const id = nextId++;
    for (const a of node.aliases ?? []) entries.push({ alias: normalizeText(a), areaId: id });
    for (const c of node.children ?? []) walk(c as typeof node);
  };
  walk(demo.areas);
  const gazetteer = { gazetteer: new Gazetteer(entries), depth: () => 0 };
  segmenter.addWords(entries.map((e) => e.alias));

  const messages = readJsonl(input).map((m) => ({ title: m.title ?? '', body: m.body }));
  console.log(`${messages.length} messages from ${input}, ${messages.reduce((a, m) => a + m.title.length + m.body.length, 0)} characters`);
  const loadAverage = () => loadavg().map((x) => x.toFixed(2)).join(' ');
  console.log(`load average at the start: ${loadAverage()} (figures from a busy machine are lower and noisier)`);

  // Rules: 10 realistic ones, and 5,000 = those plus 4,990 generated from the corpus vocabulary.
  const vocabulary = [...new Set(messages.slice(0, 500).flatMap((m) => segmenter.cut(m.body)).filter((w) => /^[\u4e00-\u9fff]{2,4}$/.test(w)))];
  const random = seededRandom(7);
  const pick = () => vocabulary[Math.floor(random() * vocabulary.length)];
  const generated = Array.from({ length: 4990 }, () => `(${pick()}|${pick()}) & ${pick()} & !${pick()}`);
  const build = (sources: string[]) => new RuleSet(sources.map((s, i) => ({ key: i, expr: parseRuleExpression(s) })));
  const ten = build(BASE_RULES);
  const fiveThousand = build([...BASE_RULES, ...generated]);
  segmenter.addWords(fiveThousand.terms);

  // The cases take turns on one slice of the posts at a time (raw, 10 rules, 5,000 rules, 10 rules one post per call),
  // for ROUNDS rounds; each case's time is the sum over the slices of its best time on that slice. A burst of load on
  // a shared machine then lands on one sample of one case, not on its figure. CPU time (user + system of this process)
  // is shown beside wall time: it does not count time spent waiting for a core. The pipeline runs as the analyze
  // worker runs it, over batches (analyseTexts: chunks of ANALYSIS_CHUNK posts, stage by stage); the last case is the
  // same pipeline called once per post, for comparison.
  type Case = { label: string; run: (batch: typeof messages) => unknown; wall: number[]; cpu: number[] };
  const cases: Case[] = [
    { label: 'raw nodejieba segmentation (cut)', run: (batch) => batch.forEach((m) => segmenter.cut(`${m.title}\n${m.body}`)), wall: [], cpu: [] },
    { label: 'full pipeline, 10 rules', run: (batch) => analyseTexts(batch, { resources, gazetteer, rules: ten }), wall: [], cpu: [] },
    { label: 'full pipeline, 5,000 rules', run: (batch) => analyseTexts(batch, { resources, gazetteer, rules: fiveThousand }), wall: [], cpu: [] },
    { label: 'full pipeline, 10 rules, one post per call', run: (batch) => batch.forEach((m) => analyseText(m, { resources, gazetteer, rules: ten })), wall: [], cpu: [] },
  ];
  const ROUNDS = 5;
  const SLICE = 10 * ANALYSIS_CHUNK;
  const slices: (typeof messages)[] = [];
  for (let from = 0; from < messages.length; from += SLICE) slices.push(messages.slice(from, from + SLICE));
  for (const c of cases) c.run(messages.slice(0, 4 * ANALYSIS_CHUNK)); // warm-up
  for (let round = 0; round < ROUNDS; round++) {
    slices.forEach((slice, i) => {
      for (const c of cases) {
        const cpuBefore = process.cpuUsage();
        const wall = time(() => c.run(slice)).ms;
        const used = process.cpuUsage(cpuBefore);
        c.wall[i] = Math.min(c.wall[i] ?? Infinity, wall);
        c.cpu[i] = Math.min(c.cpu[i] ?? Infinity, (used.user + used.system) / 1000);
      }
    });
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const rate = (ms: number) => (messages.length / ms) * 1000;
  for (const c of cases) console.log(`${c.label.padEnd(42)} ${rate(sum(c.wall)).toFixed(0).padStart(7)} posts/s (CPU time: ${rate(sum(c.cpu)).toFixed(0)} posts/s)`);
  const [raw, p10, p5000, single] = cases;
  console.log(`pipeline / raw segmentation: ${(sum(raw.wall) / sum(p10.wall)).toFixed(2)} (target ≥ 0.5); 5,000 rules / 10 rules: ${(sum(p10.wall) / sum(p5000.wall)).toFixed(2)} (target ≥ 0.8)`);
  console.log(`by CPU time: pipeline / raw segmentation ${(sum(raw.cpu) / sum(p10.cpu)).toFixed(2)}; 5,000 rules / 10 rules ${(sum(p10.cpu) / sum(p5000.cpu)).toFixed(2)}`);
  console.log(`one post per call: pipeline / raw segmentation ${(sum(raw.wall) / sum(single.wall)).toFixed(2)}`);
  console.log(`load average at the end: ${loadAverage()}`);

  // Dry-run over generated posts: titles and bodies cut from the corpus at random, in memory.
  const pool = messages.map((m) => normalizeText(m.body)).filter((b) => b.length > 40);
  const posts: DryRunPost[] = [];
  const day = 86_400_000;
  for (let i = 0; i < postsForDryRun; i++) {
    const b = pool[Math.floor(random() * pool.length)];
    const start = Math.floor(random() * Math.max(1, b.length - 160));
    posts.push({ postId: i + 1, title: b.slice(start, start + 16), body: b.slice(start, start + 160), at: new Date(1_700_000_000_000 + (i % 365) * day), areaId: 1 + (i % 40), verdict: i % 97 === 0 ? 'confirmed' : i % 89 === 0 ? 'dismissed' : null });
  }
  const expr: RuleExpr = parseRuleExpression(BASE_RULES[0]);
  const dry = time(() => {
    const d = new DryRun(expr, 100);
    d.add(posts);
    return d.result();
  });
  console.log(
    `dry-run of one rule over ${postsForDryRun.toLocaleString('en')} generated posts: ${(dry.ms / 1000).toFixed(2)} s (target < 10 s), ${dry.value.matched} hits, ${dry.value.wouldOpenCases.length} cases, precision ${dry.value.precision}`,
  );
}

main();
