import { Body, Controller, Headers, HttpCode, Param, Post } from '@nestjs/common';
import { AuditBodySizeOnly, Public } from '../auth/auth.decorators';
import { IngestService } from './ingest.service';

/** Push ingestion for partner systems: `POST /ingest/<source code>` with `Authorization: Bearer <push token>`. */
@Controller('ingest')
export class IngestController {
  constructor(private readonly ingestService: IngestService) {}

  @Post(':code')
  @Public()
  @AuditBodySizeOnly()
  @HttpCode(200)
  ingest(@Param('code') code: string, @Headers('authorization') authorization: string | undefined, @Body() body: unknown) {
    const token = authorization?.startsWith('Bearer ') ? authorization.slice(7).trim() : undefined;
    return this.ingestService.ingest(code, token, body);
  }
}
