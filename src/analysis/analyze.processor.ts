import { InjectQueue, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job, Queue } from 'bullmq';
import { CaseCorrelationService } from '../cases/case-correlation.service';
import { AnalyzeJob, jobIds, QueueName, RouteJob } from '../queues/queue-names';
import { AnalysisService } from './analysis.service';

/** analyze job: pipeline → stored analysis → cases (attach or open) → route jobs for new cases. */
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

  async process(job: Job<AnalyzeJob>): Promise<{ status: string; cases?: number[] }> {
    const { postId, contentHash } = job.data;
    const outcome = await this.analysis.analyze(postId, contentHash);
    if (outcome.status !== 'analysed') {
      this.logger.log({ jobId: job.id, postId, status: outcome.status }, 'nothing to analyse');
      return { status: outcome.status };
    }
    // Correlation is idempotent, so it runs even when the analysis existed (a crash may have come between).
    const rules = await this.analysis.activeRules();
    const results = await this.correlation.correlate(outcome.analysis, (id) => rules.get(id));
    const newCases = results.filter((r) => r.created).map((r) => r.caseId);
    if (newCases.length) {
      await this.routeQueue.addBulk(newCases.map((caseId) => ({ name: 'route', data: { caseId }, opts: { jobId: jobIds.route(caseId) } })));
    }
    this.logger.log(
      { jobId: job.id, postId, areaId: outcome.analysis.areaId, rules: outcome.analysis.firedRules.map((r) => r.code), cases: results.map((r) => r.caseId) },
      'post analysed',
    );
    return { status: 'analysed', cases: results.map((r) => r.caseId) };
  }
}
