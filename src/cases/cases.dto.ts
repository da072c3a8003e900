import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsDate, IsIn, IsInt, IsObject, IsOptional, IsString, IsUrl, Max, MaxLength, Min, MinLength } from 'class-validator';
import { CONTACT_CHANNELS, ContactChannel } from './case-contact.entity';
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

  /** Only cases with a clock that has run out (true) or none (false). */
  @IsOptional()
  @Transform(({ value }) => value === 'true' || value === true)
  @IsBoolean()
  overdue?: boolean;

  /** Only cases opened at or after this time (ISO 8601). */
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  openedFrom?: Date;

  /** Only cases opened before this time (ISO 8601). */
  @IsOptional()
  @Type(() => Date)
  @IsDate()
  openedTo?: Date;

  /** level (default): level, then newest. urgency: level, overdue first, then the earliest due time (the inbox). */
  @IsOptional()
  @IsIn(['level', 'urgency'])
  sort?: 'level' | 'urgency';

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

  /** The text as published; without it the category's template for `kind` is rendered with `variables`. */
  @IsOptional()
  @IsString()
  @MinLength(2)
  @MaxLength(5000)
  text?: string;

  /** Template variables, e.g. { "说明": "…" } (社区, 对方, 案件编号 and 日期 are filled in). */
  @IsOptional()
  @IsObject()
  variables?: Record<string, string>;

  @IsOptional()
  @IsUrl({ protocols: ['http', 'https'], require_protocol: true, require_tld: false })
  publishedUrl?: string;

  /** Where it was published: forum_reply, private_message, notice, wechat_group… */
  @IsOptional()
  @IsString()
  @MaxLength(50)
  channel?: string;
}

export class LogContactBody {
  /** The party's forum handle or name (a resident, the property company…). */
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  party: string;

  @IsIn(CONTACT_CHANNELS)
  channel: ContactChannel;

  @IsString()
  @MinLength(2)
  @MaxLength(5000)
  summary: string;
}

export class CommitmentBody {
  @IsString()
  @MinLength(2)
  @MaxLength(2000)
  text: string;

  @Type(() => Date)
  @IsDate()
  dueAt: Date;
}

export class ReasonBody {
  @IsString()
  @MinLength(2)
  @MaxLength(2000)
  reason: string;
}

export class CommentBody {
  @IsString()
  @MinLength(1)
  @MaxLength(5000)
  text: string;
}

export class MergeBody {
  @IsInt()
  @Min(1)
  intoCaseId: number;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;
}

export class HandOverBody {
  /** The receiving body, e.g. 区住建局, 区市场监管局. */
  @IsString()
  @MinLength(2)
  @MaxLength(200)
  department: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class HandOverAckBody {
  /** Who at the receiving body confirmed the hand-over. */
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  receivedBy: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class ReassignBody {
  @IsInt()
  @Min(1)
  assigneeId: number;

  @IsString()
  @MinLength(2)
  @MaxLength(2000)
  reason: string;
}

export class SettleCaseBody {
  @IsIn(CASE_OUTCOMES)
  outcome: CaseOutcome;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;
}

export class RevealBody {
  /** Why the unmasked text is needed (e.g. 需要电话联系发帖人); recorded on the timeline. */
  @IsString()
  @MinLength(4)
  @MaxLength(500)
  reason: string;
}

/** A corrected category and/or area (at least one); the confirmed category becomes a training label of the case's posts. */
export class ClassificationBody {
  /** A domain or dispute type of the taxonomy (config/taxonomy.yaml), e.g. 物业纠纷. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  category?: string;

  /** The code of an existing area. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  areaCode?: string;

  @IsString()
  @MinLength(2)
  @MaxLength(500)
  reason: string;
}
