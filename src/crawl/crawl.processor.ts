import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { CrawlJob, QueueName } from '../queues/queue-names';
import { CrawlReport, CrawlService } from './crawl.service';

/** crawl job: fired by the source's job scheduler or by "crawl now". Failures are recorded on the source. */
@Processor(QueueName.Crawl)
export class CrawlProcessor extends WorkerHost {
  constructor(private readonly crawler: CrawlService) {
    super();
  }

  process(job: Job<CrawlJob>): Promise<CrawlReport> {
    return this.crawler.crawl(job.data.sourceId);
  }
}
