import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { ROUTING_STRATEGIES, RoutingStrategy } from './team.entity';

export class TeamBody {
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name: string;

  @IsIn(ROUTING_STRATEGIES)
  strategy: RoutingStrategy = 'least_loaded';
}

export class DutyScheduleBody {
  @IsArray()
  @IsInt({ each: true })
  @Min(1, { each: true })
  @Max(7, { each: true })
  days: number[];

  @Matches(/^\d{2}:\d{2}$/)
  start: string;

  @Matches(/^\d{2}:\d{2}$/)
  end: string;

  @IsOptional()
  @Matches(/^[+-]\d{2}:\d{2}$/)
  utcOffset?: string;
}

export class TeamMemberBody {
  @IsInt()
  userId: number;

  @IsOptional()
  @IsIn(['member', 'lead'])
  role?: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  capacity?: number;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  specialties?: string[];

  @IsOptional()
  @IsBoolean()
  onDuty?: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => DutyScheduleBody)
  dutySchedule?: DutyScheduleBody | null;
}

export class ResponsibilityBody {
  @IsInt()
  areaId: number;

  /** Omit for every category. */
  @IsOptional()
  @IsString()
  @MaxLength(100)
  category?: string;

  @IsInt()
  teamId: number;
}
