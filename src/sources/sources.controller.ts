import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Patch, Post, Query } from '@nestjs/common';
import { AuditSubject, Roles } from '../auth/auth.decorators';
import { AppError } from '../common/app-error';
import type { SourceInput } from './source-validation';
import { SourcesService } from './sources.service';

function pageParam(value: string | undefined, field: string, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new AppError('invalid_request', `${field} must be an integer from 1 to ${max}`, { field });
  return n;
}

@Controller('sources')
@Roles('operator', 'admin', 'official')
export class SourcesController {
  constructor(private readonly sources: SourcesService) {}

  @Get()
  list() {
    return this.sources.list();
  }

  /** The source with its crawl state: status, last success, last error (with reason), found/stored, latency, circuit. */
  @Get(':id')
  get(@Param('id', ParseIntPipe) id: number) {
    return this.sources.get(id);
  }

  /** The crawl-run log, newest first. */
  @Get(':id/runs')
  runs(@Param('id', ParseIntPipe) id: number, @Query('page') page?: string, @Query('pageSize') pageSize?: string) {
    return this.sources.runs(id, pageParam(page, 'page', 1, 100_000), pageParam(pageSize, 'pageSize', 20, 200));
  }

  @Post()
  @Roles('operator', 'admin')
  create(@Body() body: SourceInput) {
    return this.sources.create(body);
  }

  @Patch(':id')
  @AuditSubject('sources')
  @Roles('operator', 'admin')
  update(@Param('id', ParseIntPipe) id: number, @Body() body: Partial<SourceInput>) {
    return this.sources.update(id, body);
  }

  @Delete(':id')
  @AuditSubject('sources')
  @HttpCode(204)
  @Roles('operator', 'admin')
  async remove(@Param('id', ParseIntPipe) id: number) {
    await this.sources.remove(id);
  }

  @Post(':id/crawl')
  @AuditSubject('sources')
  @HttpCode(202)
  @Roles('operator', 'admin')
  crawlNow(@Param('id', ParseIntPipe) id: number) {
    return this.sources.crawlNow(id);
  }

  /** A new push token for a push source, shown once (only its hash is kept); the previous one stops working. */
  @Post(':id/push-token')
  @AuditSubject('sources')
  @Roles('operator', 'admin')
  rotatePushToken(@Param('id', ParseIntPipe) id: number) {
    return this.sources.rotatePushToken(id);
  }
}
