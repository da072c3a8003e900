import { Module, OnApplicationBootstrap } from '@nestjs/common';
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
import { ReconcilerService } from './reconciler.service';

/**
 * What a worker process runs: the queue processors and the reconciler. Imported only when the role
 * is `worker` or `all`, so an `api` process never consumes jobs.
 */
@Module({
  imports: [AnalysisModule, CasesModule, CrawlModule, PostsModule, PrivacyModule, RoutingModule, NotifyModule],
  providers: [CrawlProcessor, AnalyzeProcessor, RouteProcessor, ReconcilerService, RetentionProcessor, SlaProcessor, SlaSweeper, NotifyProcessor, NotifyRelay],
  exports: [ReconcilerService],
})
export class WorkerModule implements OnApplicationBootstrap {
  constructor(
    private readonly config: AppConfig,
    private readonly crawl: CrawlProcessor,
    private readonly analyze: AnalyzeProcessor,
    private readonly route: RouteProcessor,
  ) {}

  onApplicationBootstrap(): void {
    const { concurrency } = this.config.queue;
    this.crawl.worker.concurrency = concurrency.crawl;
    this.analyze.worker.concurrency = concurrency.analyze;
    this.route.worker.concurrency = concurrency.route;
  }
}
