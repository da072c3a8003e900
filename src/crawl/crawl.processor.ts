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
    // Jobs of the source's scheduler carry repeatJobKey; a jittered one comes back as a delayed job flagged `jittered`.
    return this.crawler.crawl(job.data.sourceId, { scheduled: Boolean(job.repeatJobKey) || job.data.jittered === true, jittered: job.data.jittered });
  }
}
