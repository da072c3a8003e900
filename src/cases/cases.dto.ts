import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUrl, Max, MaxLength, Min, MinLength } from 'class-validator';
import { CASE_OUTCOMES, CASE_STATUSES, CaseOutcome, CaseStatus } from './case-lifecycle';
import { RESPONSE_KINDS, ResponseKind } from './response.entity';

export class ListCasesQuery {
  @IsOptional()
  @Transform(({ value }) => (typeof value === 'string' ? value.split(',') : value))
  @IsIn(CASE_STATUSES, { each: true })
  status?: CaseStatus[];

  @IsOptional()
  @Transform(({ value }) => value === 'true' || value === true)
  @IsBoolean()
  mine?: boolean;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  page = 1;

  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  pageSize = 50;
}

export class PublishResponseBody {
  @IsIn(RESPONSE_KINDS)
  kind: ResponseKind;

  @IsString()
  @MinLength(2)
  @MaxLength(5000)
  text: string;

  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  publishedUrl?: string;
}

export class SettleCaseBody {
  @IsIn(CASE_OUTCOMES)
  outcome: CaseOutcome;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}
