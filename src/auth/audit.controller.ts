import { Controller, Get, Query } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Type } from 'class-transformer';
import { IsDateString, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { Roles } from './auth.decorators';
import { AuditEntry } from './audit-entry.entity';

export class AuditQuery {
  @IsOptional() @Type(() => Number) @IsInt() actorId?: number;
  @IsOptional() @IsString() @MaxLength(200) action?: string;
  @IsOptional() @IsDateString() from?: string;
  @IsOptional() @IsDateString() to?: string;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) page = 1;
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500) pageSize = 100;
}

/** The audit log, newest first, for admins and officials. */
@Controller('audit')
@Roles('admin', 'official')
export class AuditController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  async list(@Query() q: AuditQuery) {
    const qb = this.db.getRepository(AuditEntry).createQueryBuilder('e');
    if (q.actorId !== undefined) qb.andWhere('e.actor_id = :actorId', { actorId: q.actorId });
    if (q.action) qb.andWhere('e.action = :action', { action: q.action });
    if (q.from) qb.andWhere('e.at >= :from', { from: q.from });
    if (q.to) qb.andWhere('e.at < :to', { to: q.to });
    const [items, total] = await qb.orderBy('e.id', 'DESC').skip((q.page - 1) * q.pageSize).take(q.pageSize).getManyAndCount();
    return { items, total, page: q.page, pageSize: q.pageSize };
  }
}
