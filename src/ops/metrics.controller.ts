import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Roles } from '../auth/auth.decorators';
import { MetricsService } from './metrics.service';

/** Prometheus text format, for admins (scrape with an admin's token or from the admin network). */
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @Roles('admin')
  async metricsText(@Res() res: Response): Promise<void> {
    const { contentType, body } = await this.metrics.text();
    res.setHeader('Content-Type', contentType);
    res.send(body);
  }
}
