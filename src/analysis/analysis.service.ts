import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AreasService } from '../areas/areas.service';
import { AppConfig } from '../config/app-config';
import { projectRoot } from '../config/config.loader';
import { PostsService } from '../posts/posts.service';
import { RulesService } from '../rules/rules.service';
import { Source } from '../sources/source.entity';
import { analyseText } from './analysis-engine';
import { DictionaryService } from './dictionary.service';
import { AnalysisResources, analysisResources } from './analysis-resources';
import { Analysis, FiredRule } from './analysis.entity';
import { segmenter } from './segmenter';
import { normalizeText } from './text-normalizer';

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

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly posts: PostsService,
    private readonly areas: AreasService,
    private readonly rules: RulesService,
    private readonly config: AppConfig,
    private readonly dictionary: DictionaryService,
  ) {}

  /** Loads the category model, taxonomy and lexicons at start-up (a broken model file stops the process). */
  onModuleInit(): void {
    const started = Date.now();
    const resources = this.resources();
    this.logger.log({ categoryModel: resources.category.modelVersion, idf: resources.idf?.version ?? null, ms: Date.now() - started }, 'analysis resources loaded');
  }

  resources(): AnalysisResources {
    this.resourcesLoaded ??= analysisResources({ root: projectRoot(), ...this.config.analysis });
    return this.resourcesLoaded;
  }

  /**
   * Runs the pipeline over one revision of a post and stores the result once: a repeat returns the
   * stored analysis. A job for an older revision is answered with 'stale' (the newer one has its own job).
   */
  async analyze(postId: number, expectedHash: string): Promise<AnalyzeOutcome> {
    const post = await this.posts.get(postId);
    if (!post) return { status: 'post_missing' };
    if (post.contentHash !== expectedHash) return { status: 'stale', currentHash: post.contentHash };

    const repo = this.db.getRepository(Analysis);
    const existing = await repo.findOneBy({ postId, contentHash: post.contentHash, pipelineVersion: PIPELINE_VERSION });
    if (existing) return { status: 'analysed', analysis: existing, created: false };

    const source = await this.db.getRepository(Source).findOne({ select: { id: true, defaultAreaId: true }, where: { id: post.sourceId } });
    const { gazetteer, depth, aliases } = await this.areas.gazetteer();
    segmenter.addWords(aliases);
    const active = await this.rules.active();
    segmenter.addWords(active.terms);
    segmenter.addWords(await this.dictionary.words());
    const chains = new Map<number, string[]>();
    for (const id of new Set(gazetteer.find(normalizeText(`${post.title}\n${post.body}`)).map((h) => h.areaId).concat(source?.defaultAreaId ?? []))) {
      chains.set(id, (await this.areas.chain(id)).flatMap((a) => [String(a.id), a.code]));
    }

    const result = analyseText(
      { title: post.title, body: post.body, replies: post.replies, defaultAreaId: source?.defaultAreaId ?? null },
      { resources: this.resources(), gazetteer: { gazetteer, depth }, areaPath: (id) => chains.get(id) ?? [String(id)], rules: active.set },
    );
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

    return this.db.transaction(async (tx) => {
      const inserted = await tx
        .getRepository(Analysis)
        .createQueryBuilder()
        .insert()
        .values({
          postId,
          contentHash: post.contentHash,
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
        })
        .orIgnore()
        .returning('id')
        .execute();
      const created = inserted.raw.length > 0;
      if (created) await this.rules.recordHits([...firedRules, ...suppressedBy].map((f) => f.ruleId), tx);
      const analysis = await tx.getRepository(Analysis).findOneByOrFail({ postId, contentHash: post.contentHash, pipelineVersion: PIPELINE_VERSION });
      return { status: 'analysed' as const, analysis, created };
    });
  }
}
