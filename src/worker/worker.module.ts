import { Logger, Module, OnApplicationBootstrap } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { WorkerHost } from '@nestjs/bullmq';
import { AnalysisModule } from '../analysis/analysis.module';
import { AnalyzeProcessor } from '../analysis/analyze.processor';
import { CasesModule } from '../cases/cases.module';
import { AppConfig } from '../config/app-config';
import { CrawlModule } from '../crawl/crawl.module';
import { CrawlProcessor } from '../crawl/crawl.processor';
import { SlaProcessor } from '../cases/sla.processor';
import { SlaSweeper } from '../cases/sla-sweeper.service';
import { NotifyModule } from '../notify/notify.module';
import { NotifyProcessor } from '../notify/notify.processor';
import { NotifyRelay } from '../notify/notify-relay.service';
import { PostsModule } from '../posts/posts.module';
import { PrivacyModule } from '../privacy/privacy.module';
import { RetentionProcessor } from '../privacy/retention.processor';
import { RouteProcessor } from '../routing/route.processor';
import { RoutingModule } from '../routing/routing.module';
import { SourcesModule } from '../sources/sources.module';
import { ReconcilerService } from './reconciler.service';

/**
 * What a worker process runs: the queue processors and the reconciler. Imported only when the role
 * is `worker` or `all`, so an `api` process never consumes jobs.
 */
@Module({
  imports: [AnalysisModule, CasesModule, CrawlModule, PostsModule, PrivacyModule, RoutingModule, NotifyModule, SourcesModule],
  providers: [CrawlProcessor, AnalyzeProcessor, RouteProcessor, ReconcilerService, RetentionProcessor, SlaProcessor, SlaSweeper, NotifyProcessor, NotifyRelay],
  exports: [ReconcilerService],
})
export class WorkerModule implements OnApplicationBootstrap {
  private readonly logger = new Logger(WorkerModule.name);

  constructor(
    private readonly config: AppConfig,
    private readonly crawl: CrawlProcessor,
    private readonly analyze: AnalyzeProcessor,
    private readonly route: RouteProcessor,
    private readonly moduleRef: ModuleRef,
  ) {}

  onApplicationBootstrap(): void {
    const { concurrency } = this.config.queue;
    this.crawl.worker.concurrency = concurrency.crawl;
    this.analyze.worker.concurrency = concurrency.analyze;
    this.route.worker.concurrency = concurrency.route;
    // A worker's 'error' event without a listener would end the process (e.g. Redis lost a job's key
    // while it ran); log it instead: the job is retried or re-enqueued by the reconciler.
    for (const type of [CrawlProcessor, AnalyzeProcessor, RouteProcessor, RetentionProcessor, SlaProcessor, NotifyProcessor]) {
      const host = this.moduleRef.get<WorkerHost>(type, { strict: false });
      host.worker.on('error', (err) => this.logger.error({ err, queue: host.worker.name }, 'queue worker error'));
    }
  }
}
