import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { Roles } from '../auth/auth.decorators';
import { CrawlService } from './crawl.service';

/** `POST /sources/preview { kind, url, config }`: what a source config would extract from a live URL (nothing is saved). */
@Controller('sources')
export class PreviewController {
  constructor(private readonly crawl: CrawlService) {}

  @Post('preview')
  @HttpCode(200)
  @Roles('operator', 'admin')
  preview(@Body() body: { kind: string; url: string; config?: Record<string, unknown> }) {
    return this.crawl.preview(body ?? ({} as never));
  }
}
