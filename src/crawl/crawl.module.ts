import { Module } from '@nestjs/common';
import { PostsModule } from '../posts/posts.module';
import { SourcesModule } from '../sources/sources.module';
import { CrawlService } from './crawl.service';

@Module({ imports: [SourcesModule, PostsModule], providers: [CrawlService], exports: [CrawlService] })
export class CrawlModule {}
