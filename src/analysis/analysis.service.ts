import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AreasService } from '../areas/areas.service';
import type { Gazetteer } from '../areas/gazetteer';
import { AppConfig } from '../config/app-config';
import { MicroBatcher } from '../queues/micro-batcher';
import { projectRoot } from '../config/config.loader';
import type { Rule } from '../rules/rule.entity';
import { ActiveRules, RulesService } from '../rules/rules.service';
import { ANALYSIS_CHUNK, analyseTexts, EngineResult } from './analysis-engine';
import { DictionaryService } from './dictionary.service';
import { AnalysisResources, analysisResources } from './analysis-resources';
import { Analysis, FiredRule } from './analysis.entity';
import { segmenter } from './segmenter';

/** Bump when the pipeline changes what it stores, so posts can be analysed again. */
export const PIPELINE_VERSION = 2;

const LEVEL_RANK = { blue: 0, yellow: 1, orange: 2, red: 3 } as const;

export type AnalyzeOutcome =
  | { status: 'analysed'; analysis: Analysis; created: boolean }
  | { status: 'post_missing' }
  | { status: 'stale'; currentHash: string };

@Injectable()
export class AnalysisService implements OnModuleInit {
  private readonly logger = new Logger(AnalysisService.name);
  private resourcesLoaded?: AnalysisResources;
  /** The word lists last taught to the segmenter (the cached arrays, compared by identity). */
  private taught: { aliases?: string[]; terms?: string[]; words?: string[] } = {};
  private paths?: { gazetteer: object; chains: Map<number, string[]> };
  private readonly reader = new MicroBatcher<number, PostRow | undefined>((ids) => this.readPosts(ids));
  private readonly writer = new MicroBatcher<NewAnalysis, { id: number; analyzed_at: Date } | undefined>((items) => this.writeAnalyses(items));

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly areas: AreasService,
    private readonly rules: RulesService,
    private readonly config: AppConfig,
    private readonly dictionary: DictionaryService,
  ) {}

  /** Loads the category model, taxonomy and lexicons at start-up (a broken model file stops the process). */
  onModuleInit(): void {
    const started = Date.now();
    const resources = this.resources();
    // A worker loads the segmenter's dictionaries now rather than in its first job (a second or so).
    if (this.config.role !== 'api') segmenter.cut('');
    this.logger.log({ categoryModel: resources.category.modelVersion, idf: resources.idf?.version ?? null, ms: Date.now() - started }, 'analysis resources loaded');
  }

  resources(): AnalysisResources {
    this.resourcesLoaded ??= analysisResources({ root: projectRoot(), ...this.config.analysis });
    return this.resourcesLoaded;
  }

  /**
   * Runs the pipeline over one revision of a post and stores the result once: a repeat returns the
   * stored analysis. A job for an older revision is answered with 'stale' (the newer one has its own job).
   * Concurrent jobs of a process share their round trips: one read for the posts (with their source's
   * default area and whether they are analysed) and one write for the analyses and the rules' hit
   * counts (one statement, one commit), see `readPosts` and `writeAnalyses`.
   */
  async analyze(postId: number, expectedHash: string): Promise<AnalyzeOutcome> {
    const post = await this.reader.add(postId);
    if (!post) return { status: 'post_missing' };
    if (post.content_hash !== expectedHash) return { status: 'stale', currentHash: post.content_hash };
    if (post.analysed) return { status: 'analysed', analysis: await this.stored(postId, post.content_hash), created: false };
    const [values] = this.compute([{ postId, post }], await this.context());
    const inserted = await this.writer.add(values);
    if (!inserted) return { status: 'analysed', analysis: await this.stored(postId, post.content_hash), created: false };
    return { status: 'analysed', analysis: toAnalysis(values.values, inserted), created: true };
  }

  /**
   * `analyze` for many posts at once (an analyze-batch job): one read, the pipeline over each post not
   * analysed yet, one write (each revision stored once: a post analysed meanwhile, by its own job or
   * an earlier run of this batch, is answered with the stored analysis), one read of stored analyses.
   * Outcomes in the order of `items`.
   */
  async analyzeMany(items: readonly { postId: number; contentHash: string }[]): Promise<AnalyzeOutcome[]> {
    if (items.length === 0) return [];
    const posts = await this.readPosts(items.map((i) => i.postId));
    const outcomes: (AnalyzeOutcome | undefined)[] = new Array(items.length);
    const toStore: { index: number; values: NewAnalysis }[] = [];
    const toLoad: { index: number; postId: number; contentHash: string }[] = [];
    const computing = new Set<number>();
    const toCompute: { index: number; postId: number; post: PostRow }[] = [];
    for (let i = 0; i < items.length; i++) {
      const { postId, contentHash } = items[i];
      const post = posts[i];
      if (!post) outcomes[i] = { status: 'post_missing' };
      else if (post.content_hash !== contentHash) outcomes[i] = { status: 'stale', currentHash: post.content_hash };
      else if (post.analysed || computing.has(postId)) toLoad.push({ index: i, postId, contentHash });
      else {
        computing.add(postId);
        toCompute.push({ index: i, postId, post });
      }
    }
    if (toCompute.length) {
      const ctx = await this.context();
      // The pipeline over a chunk at a time (stage by stage, see analyseTexts), letting the event loop turn between
      // chunks (lock renewals, other jobs' I/O) during a long batch.
      for (let from = 0; from < toCompute.length; from += ANALYSIS_CHUNK) {
        if (from > 0) await new Promise((resolve) => setImmediate(resolve));
        const chunk = toCompute.slice(from, from + ANALYSIS_CHUNK);
        const computed = this.compute(chunk, ctx);
        chunk.forEach((c, k) => toStore.push({ index: c.index, values: computed[k] }));
      }
    }
    const written = toStore.length ? await this.writeAnalyses(toStore.map((s) => s.values)) : [];
    toStore.forEach((s, k) => {
      const row = written[k];
      if (row) outcomes[s.index] = { status: 'analysed', analysis: toAnalysis(s.values.values, row), created: true };
      else toLoad.push({ index: s.index, postId: s.values.values.postId, contentHash: s.values.values.contentHash });
    });
    if (toLoad.length) {
      const stored = await this.storedMany(toLoad);
      toLoad.forEach((l, k) => (outcomes[l.index] = { status: 'analysed', analysis: stored[k], created: false }));
    }
    return outcomes as AnalyzeOutcome[];
  }

  /** What the pipeline needs besides the post: gazetteer, rules and dictionary (cached by their services). */
  private async context(): Promise<AnalysisContext> {
    const { gazetteer, depth, aliases } = await this.areas.gazetteer();
    const active = await this.rules.active();
    const words = await this.dictionary.words();
    // The segmenter learns each word once; the lists are only walked again when they were reloaded.
    if (this.taught.aliases !== aliases || this.taught.terms !== active.terms || this.taught.words !== words) {
      segmenter.addWords(aliases);
      segmenter.addWords(active.terms);
      segmenter.addWords(words);
      this.taught = { aliases, terms: active.terms, words };
    }
    const chains = await this.areaPaths(gazetteer);
    return { gazetteer, depth, active, chains };
  }

  /** The pipeline over post revisions (one batch, see analyseTexts): the analysis rows to store and the rules whose hits they count. */
  private compute(items: readonly { postId: number; post: PostRow }[], ctx: AnalysisContext): NewAnalysis[] {
    const { active, chains } = ctx;
    const results = analyseTexts(
      items.map(({ post }) => ({ title: post.title, body: post.body, replies: post.replies, defaultAreaId: post.default_area_id ?? null })),
      { resources: this.resources(), gazetteer: { gazetteer: ctx.gazetteer, depth: ctx.depth }, areaPath: (id) => chains.get(id) ?? [String(id)], rules: active.set },
    );
    return items.map(({ postId, post }, k) => this.toNewAnalysis(postId, post, results[k], active));
  }

  /** One post's pipeline result as the analysis row to store. */
  private toNewAnalysis(postId: number, post: PostRow, result: EngineResult, active: AnalysisContext['active']): NewAnalysis {
    const toFired = ({ ruleId, hits }: { ruleId: number; hits: FiredRule['hits'] }): FiredRule => {
      const rule = active.rules.get(ruleId)!;
      return { ruleId, code: rule.code, version: rule.version, level: rule.level, hits };
    };
    const suppressedBy = result.fired.filter((f) => active.rules.get(f.ruleId)?.role === 'suppression').map(toFired);
    const firedRules = suppressedBy.length
      ? []
      : result.fired
          .filter((f) => active.rules.get(f.ruleId)?.role === 'warning')
          .map(toFired)
          .sort((a, b) => LEVEL_RANK[b.level as keyof typeof LEVEL_RANK] - LEVEL_RANK[a.level as keyof typeof LEVEL_RANK]);
    const firstRule = firedRules.length ? active.rules.get(firedRules[0].ruleId) : undefined;

    const values: NewAnalysis['values'] = {
      postId,
      contentHash: post.content_hash,
      pipelineVersion: PIPELINE_VERSION,
      keywords: result.keywords,
      areaId: result.location?.areaId ?? null,
      areaConfidence: result.location?.confidence ?? 0,
      matchedAlias: result.location?.alias ?? null,
      category: firstRule?.category ?? result.category.type ?? result.category.domain,
      domain: result.category.domain,
      disputeType: result.category.type,
      categoryConfidence: result.category.confidence,
      categoryModel: this.resources().category.modelVersion,
      heatScore: result.heat.score,
      warningLevel: result.heat.level,
      heatSignals: result.heat.signals.slice(0, 20),
      placeCandidates: result.placeCandidates.slice(0, 10),
      topics: result.topics,
      simhash: result.simhash,
      firedRules,
      suppressedBy,
      analyzedAt: new Date(),
    };
    return { values, ruleIds: [...new Set([...firedRules, ...suppressedBy].map((f) => f.ruleId))] };
  }

  /** The posts to analyse, by id (undefined: the post is gone). */
  private async readPosts(postIds: number[]): Promise<(PostRow | undefined)[]> {
    const rows: (PostRow & { id: number })[] = await this.db.query(
      `SELECT p.id, p.title, p.body, p.replies, p.content_hash, s.default_area_id,
              EXISTS (SELECT 1 FROM analyses a WHERE a.post_id = p.id AND a.content_hash = p.content_hash AND a.pipeline_version = $2) AS analysed
         FROM posts p LEFT JOIN sources s ON s.id = p.source_id WHERE p.id = ANY($1::int[])`,
      [postIds, PIPELINE_VERSION],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    return postIds.map((id) => byId.get(id));
  }

  /**
   * Stores analyses, each once per post revision and pipeline version, and, for those that were new,
   * counts the hits of the rules they fired, in one statement. An analysis that existed already (a
   * repeat) is answered with undefined and counts nothing.
   */
  private async writeAnalyses(items: NewAnalysis[]): Promise<({ id: number; analyzed_at: Date } | undefined)[]> {
    const rows = items.map(({ values: v, ruleIds }, i) => ({
      i,
      post_id: v.postId,
      content_hash: v.contentHash,
      pipeline_version: v.pipelineVersion,
      keywords: v.keywords,
      area_id: v.areaId,
      area_confidence: v.areaConfidence,
      matched_alias: v.matchedAlias,
      category: v.category,
      domain: v.domain,
      dispute_type: v.disputeType,
      category_confidence: v.categoryConfidence,
      category_model: v.categoryModel,
      heat_score: v.heatScore,
      warning_level: v.warningLevel,
      heat_signals: v.heatSignals,
      place_candidates: v.placeCandidates,
      topics: v.topics,
      simhash: v.simhash,
      fired_rules: v.firedRules,
      suppressed_by: v.suppressedBy,
      rule_ids: ruleIds,
    }));
    const inserted: { post_id: number; content_hash: string; id: number; analyzed_at: Date }[] = await this.db.query(
      `WITH v AS (
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS v(i int, post_id int, content_hash text, pipeline_version int, keywords text[], area_id int,
              area_confidence real, matched_alias text, category text, domain text, dispute_type text, category_confidence real,
              category_model text, heat_score real, warning_level text, heat_signals jsonb, place_candidates text[], topics text[],
              simhash text, fired_rules jsonb, suppressed_by jsonb, rule_ids int[])
       ), ins AS (
         INSERT INTO analyses (post_id, content_hash, pipeline_version, keywords, area_id, area_confidence, matched_alias, category, domain,
                               dispute_type, category_confidence, category_model, heat_score, warning_level, heat_signals, place_candidates,
                               topics, simhash, fired_rules, suppressed_by)
         SELECT post_id, content_hash, pipeline_version, keywords, area_id, area_confidence, matched_alias, category, domain,
                dispute_type, category_confidence, category_model, heat_score, warning_level, heat_signals, place_candidates,
                topics, simhash, fired_rules, suppressed_by
           -- In post order (a post's revisions in batch order): two batches holding the same posts insert
           -- their keys in the same order, so neither waits for a key the other holds while holding one it wants.
           FROM v ORDER BY post_id, i
         ON CONFLICT (post_id, content_hash, pipeline_version) DO NOTHING
         RETURNING id, post_id, content_hash, pipeline_version, analyzed_at
       ), h AS (
         SELECT rule_id, count(*)::int AS n
           FROM ins JOIN v ON v.post_id = ins.post_id AND v.content_hash = ins.content_hash AND v.pipeline_version = ins.pipeline_version,
                unnest(v.rule_ids) AS rule_id
          GROUP BY rule_id
       ), locked AS (
         -- Rule rows are locked in id order, so two batches counting the same rules never deadlock.
         SELECT r.id FROM rules r JOIN h ON h.rule_id = r.id ORDER BY r.id FOR UPDATE OF r
       ), hits AS (
         UPDATE rules r SET hit_count = r.hit_count + h.n, last_hit_at = now() FROM h JOIN locked ON locked.id = h.rule_id WHERE r.id = h.rule_id
       )
       SELECT post_id, content_hash, id, analyzed_at FROM ins`,
      [JSON.stringify(rows)],
    );
    const byKey = new Map(inserted.map((r) => [`${r.post_id}:${r.content_hash}`, r]));
    // The same revision twice in one batch: the first caller gets the new row, the second the stored one.
    return items.map(({ values: v }) => {
      const key = `${v.postId}:${v.contentHash}`;
      const row = byKey.get(key);
      byKey.delete(key);
      return row && { id: row.id, analyzed_at: row.analyzed_at };
    });
  }

  /**
   * Every area's chain (itself, then its ancestors) as ids and codes, for rule area conditions; built
   * once per copy of the area tree (the gazetteer object changes whenever the tree is read again).
   */
  private async areaPaths(gazetteer: object): Promise<Map<number, string[]>> {
    if (this.paths?.gazetteer === gazetteer) return this.paths.chains;
    const chains = new Map<number, string[]>();
    for (const area of await this.areas.list()) chains.set(area.id, (await this.areas.chain(area.id)).flatMap((a) => [String(a.id), a.code]));
    this.paths = { gazetteer, chains };
    return chains;
  }

  /** The enabled rules by id, as the analysis sees them (cached per process for a few seconds). */
  async activeRules(): Promise<Map<number, Rule>> {
    return (await this.rules.active()).rules;
  }

  private stored(postId: number, contentHash: string): Promise<Analysis> {
    return this.db.getRepository(Analysis).findOneByOrFail({ postId, contentHash, pipelineVersion: PIPELINE_VERSION });
  }

  /** Stored analyses of these revisions, in their order (one query). */
  private async storedMany(revisions: readonly { postId: number; contentHash: string }[]): Promise<Analysis[]> {
    const rows = await this.db.getRepository(Analysis).find({ where: revisions.map(({ postId, contentHash }) => ({ postId, contentHash, pipelineVersion: PIPELINE_VERSION })) });
    const byKey = new Map(rows.map((r) => [`${r.postId}:${r.contentHash}`, r]));
    return revisions.map(({ postId, contentHash }) => {
      const found = byKey.get(`${postId}:${contentHash}`);
      if (!found) throw new Error(`analysis of post ${postId} (${contentHash.slice(0, 16)}) is missing`);
      return found;
    });
  }
}

function toAnalysis(values: NewAnalysis['values'], row: { id: number; analyzed_at: Date }): Analysis {
  return Object.assign(new Analysis(), values, { id: row.id, analyzedAt: new Date(row.analyzed_at) });
}

interface AnalysisContext {
  gazetteer: Gazetteer;
  depth: (areaId: number) => number;
  active: ActiveRules;
  chains: Map<number, string[]>;
}

interface NewAnalysis {
  values: Omit<Analysis, 'id' | 'post' | 'area'>;
  /** Rules whose hit count goes up if this analysis is new (each once). */
  ruleIds: number[];
}

interface PostRow {
  title: string;
  body: string;
  replies: number | null;
  content_hash: string;
  default_area_id: number | null;
  analysed: boolean;
}
