import { Controller, Get, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { IsDateString, IsIn, IsOptional } from 'class-validator';
import { AREA_LEVELS, AreaLevel } from '../areas/area.entity';
import type { Actor } from '../auth/actor';
import { AuditExport, CurrentActor, Roles } from '../auth/auth.decorators';
import { AppError } from '../common/app-error';
import { ExportFormat, settlementRows, toCsv, toExcelXml } from './report-export';
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

export class SettlementExportQuery extends SettlementQuery {
  @IsIn(['csv', 'xls'])
  format: ExportFormat = 'csv';
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

  /** The same figures as a file for Excel/WPS; every export is in the audit log (who, what period, when). */
  @Get('settlement/export')
  @Roles('official', 'supervisor', 'admin')
  @AuditExport()
  async export(@CurrentActor() actor: Actor, @Query() query: SettlementExportQuery, @Res({ passthrough: true }) res: Response) {
    const report = await this.settlement(actor, query);
    const rows = settlementRows(report);
    const name = `化解统计_${query.from.slice(0, 10)}_${query.to.slice(0, 10)}.${query.format}`;
    res.setHeader('Content-Type', query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.ms-excel; charset=utf-8');
    res.setHeader('Content-Disposition', `attachment; filename="settlement.${query.format}"; filename*=UTF-8''${encodeURIComponent(name)}`);
    return query.format === 'csv' ? toCsv(rows) : toExcelXml(rows);
  }
}
