import { Module } from '@nestjs/common';
import { PostsModule } from '../posts/posts.module';
import { SourcesModule } from '../sources/sources.module';
import { CrawlService } from './crawl.service';
import { IngestController } from './ingest.controller';
import { IngestService } from './ingest.service';
import { PreviewController } from './preview.controller';

/** Crawling, push ingestion and preview. Imported by the app (API: preview and ingestion) and by workers (crawl jobs). */
@Module({
  imports: [SourcesModule, PostsModule],
  controllers: [PreviewController, IngestController],
  providers: [CrawlService, IngestService],
  exports: [CrawlService],
})
export class CrawlModule {}
