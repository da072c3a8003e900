import { Controller, Get, Query } from '@nestjs/common';
import { IsDateString, IsIn, IsOptional } from 'class-validator';
import { AREA_LEVELS, AreaLevel } from '../areas/area.entity';
import type { Actor } from '../auth/actor';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { AppError } from '../common/app-error';
import { ReportsService } from './reports.service';

export class SettlementQuery {
  /** Start of the period (inclusive), ISO 8601. */
  @IsDateString()
  from: string;

  /** End of the period (exclusive), ISO 8601. */
  @IsDateString()
  to: string;

  @IsOptional()
  @IsIn(AREA_LEVELS)
  level: AreaLevel = 'street';
}

@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get('settlement')
  @Roles('official', 'supervisor', 'admin')
  settlement(@CurrentActor() actor: Actor, @Query() query: SettlementQuery) {
    const from = new Date(query.from);
    const to = new Date(query.to);
    if (!(from < to)) throw new AppError('invalid_request', '`from` must be before `to`', { field: 'to' });
    return this.reports.settlement(actor, from, to, query.level);
  }
}
