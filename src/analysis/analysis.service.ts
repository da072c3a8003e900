import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AreasService } from '../areas/areas.service';
import { PostsService } from '../posts/posts.service';
import { RulesService } from '../rules/rules.service';
import { Source } from '../sources/source.entity';
import { Analysis, FiredRule } from './analysis.entity';
import { segmenter } from './segmenter';
import { normalizeText } from './text-normalizer';

/** Bump when the pipeline changes what it stores, so posts can be analysed again. */
export const PIPELINE_VERSION = 1;

const LEVEL_RANK = { blue: 0, yellow: 1, orange: 2, red: 3 } as const;

export type AnalyzeOutcome =
  | { status: 'analysed'; analysis: Analysis; created: boolean }
  | { status: 'post_missing' }
  | { status: 'stale'; currentHash: string };

@Injectable()
export class AnalysisService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly posts: PostsService,
    private readonly areas: AreasService,
    private readonly rules: RulesService,
  ) {}

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

    const title = normalizeText(post.title);
    const body = normalizeText(post.body);
    const text = `${title}\n${body}`;
    const source = await this.db.getRepository(Source).findOne({ select: { id: true, defaultAreaId: true }, where: { id: post.sourceId } });
    const { gazetteer, depth, aliases } = await this.areas.gazetteer();
    segmenter.addWords(aliases);
    segmenter.addWords(await this.rules.terms());

    const location = gazetteer.locate(title, body, depth, source?.defaultAreaId ?? null);
    const fired = (await this.rules.evaluate(text)).sort((a, b) => LEVEL_RANK[b.rule.level] - LEVEL_RANK[a.rule.level]);
    const firedRules: FiredRule[] = fired.map(({ rule, hits }) => ({ ruleId: rule.id, code: rule.code, version: rule.version, level: rule.level, hits }));

    const inserted = await repo
      .createQueryBuilder()
      .insert()
      .values({
        postId,
        contentHash: post.contentHash,
        pipelineVersion: PIPELINE_VERSION,
        keywords: segmenter.keywords(text, 8),
        areaId: location?.areaId ?? null,
        areaConfidence: location?.confidence ?? 0,
        matchedAlias: location?.alias ?? null,
        category: fired[0]?.rule.category ?? null,
        firedRules,
      })
      .orIgnore()
      .returning('*')
      .execute();
    const created = inserted.raw.length > 0;
    const analysis = await repo.findOneByOrFail({ postId, contentHash: post.contentHash, pipelineVersion: PIPELINE_VERSION });
    return { status: 'analysed', analysis, created };
  }
}
