import { Controller, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { Roles } from '../auth/auth.decorators';
import { SourcesService } from './sources.service';

@Controller('sources')
@Roles('operator', 'admin', 'official')
export class SourcesController {
  constructor(private readonly sources: SourcesService) {}

  @Get()
  list() {
    return this.sources.list();
  }

  @Get(':id')
  get(@Param('id', ParseIntPipe) id: number) {
    return this.sources.get(id);
  }

  @Post(':id/crawl')
  @HttpCode(202)
  @Roles('operator', 'admin')
  crawlNow(@Param('id', ParseIntPipe) id: number) {
    return this.sources.crawlNow(id);
  }
}
