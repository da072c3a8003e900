import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { CaseCorrelationService } from '../cases/case-correlation.service';
import { AnalyzeBatchJob, AnalyzeJob, AnalyzeJobName, jobIds, QueueName, RouteJob } from '../queues/queue-names';
import { requeue } from '../queues/requeue';
import { Analysis } from './analysis.entity';
import { AnalysisService } from './analysis.service';

/**
 * analyze jobs: pipeline → stored analysis → cases (attach or open) → route jobs for new cases.
 * `analyze` does one post revision (edits, the reconciler); `analyze-batch` the new posts of a crawl
 * run, in chunks: one read, one write and one correlation transaction per area for all of them.
 */
@Processor(QueueName.Analyze)
export class AnalyzeProcessor extends WorkerHost {
  private readonly logger = new Logger(AnalyzeProcessor.name);

  constructor(
    private readonly analysis: AnalysisService,
    private readonly correlation: CaseCorrelationService,
    @InjectQueue(QueueName.Route) private readonly routeQueue: Queue<RouteJob>,
  ) {
    super();
  }

  async process(job: Job<AnalyzeJob | AnalyzeBatchJob>): Promise<{ status: string; cases?: number[]; analysed?: number; created?: number; skipped?: number }> {
    if (job.name === AnalyzeJobName.Batch) return this.processBatch(job as Job<AnalyzeBatchJob>);
    const { postId, contentHash } = job.data as AnalyzeJob;
    const outcome = await this.analysis.analyze(postId, contentHash);
    if (outcome.status !== 'analysed') {
      this.logger.log({ jobId: job.id, postId, status: outcome.status }, 'nothing to analyse');
      return { status: outcome.status };
    }
    const [cases] = await this.correlateAndRoute([outcome.analysis], !outcome.created);
    this.logger.log(
      { jobId: job.id, postId, areaId: outcome.analysis.areaId, rules: outcome.analysis.firedRules.map((r) => r.code), cases },
      'post analysed',
    );
    return { status: 'analysed', cases };
  }

  private async processBatch(job: Job<AnalyzeBatchJob>): Promise<{ status: string; analysed: number; created: number; skipped: number; cases: number[] }> {
    const outcomes = await this.analysis.analyzeMany(job.data.posts);
    const analysed: Analysis[] = [];
    let created = 0;
    for (const o of outcomes) {
      if (o.status !== 'analysed') continue;
      analysed.push(o.analysis);
      if (o.created) created++;
    }
    // Stale or missing posts: the newer revision has its own job, a deleted post needs none.
    const cases = [...new Set((await this.correlateAndRoute(analysed, created < analysed.length)).flat())];
    const skipped = outcomes.length - analysed.length;
    this.logger.log({ jobId: job.id, posts: outcomes.length, created, skipped, cases: cases.length }, 'posts analysed');
    return { status: 'analysed', analysed: analysed.length, created, skipped, cases };
  }

  /**
   * Correlation is idempotent, so it runs even for analyses that existed (a crash may have come
   * between). Route jobs go out for new cases; after a repeat also for the cases found (the first run
   * may have opened them and died before routing; routing twice assigns once). Returns the case ids
   * per analysis.
   */
  private async correlateAndRoute(analyses: Analysis[], repeat: boolean): Promise<number[][]> {
    if (analyses.length === 0) return [];
    const rules = await this.analysis.activeRules();
    const results = await this.correlation.correlateMany(analyses, (id) => rules.get(id));
    const toRoute = new Set(results.flat().filter((r) => r.created || repeat).map((r) => r.caseId));
    if (toRoute.size) {
      await this.routeQueue.addBulk([...toRoute].map((caseId) => ({ name: 'route', data: { caseId }, opts: { jobId: jobIds.route(caseId) } })));
    }
    // A reopened case nobody had is routed again. Its route job id is known to the queue (it routed the
    // case once, or found nobody on duty), so adding would be a no-op: requeue adds it anew. A case with
    // an assignee is left as it is by the route job ('already_assigned').
    const reopened = [...new Set(results.flat().filter((r) => r.reopened).map((r) => r.caseId))];
    if (reopened.length) await requeue(this.routeQueue, reopened.map((caseId) => ({ name: 'route', data: { caseId }, opts: { jobId: jobIds.route(caseId) } })));
    return results.map((list) => list.map((r) => r.caseId));
  }
}
