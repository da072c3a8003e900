import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { USER_ROLES, UserRole } from './user.entity';

export class CreateUserBody {
  @Matches(/^[a-z0-9][a-z0-9._-]{1,63}$/, { message: 'username must be 2-64 of a-z 0-9 . _ -' })
  username: string;

  @IsString()
  @MinLength(1)
  @MaxLength(64)
  displayName: string;

  @IsIn(USER_ROLES)
  role: UserRole;

  /** Area codes whose subtrees the user is responsible for. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  scope: string[];
}

export class UpdateUserBody {
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  displayName?: string;

  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;

  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsString({ each: true })
  scope?: string[];

  /** false ends every session and refuses logins. */
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @IsOptional()
  @IsBoolean()
  onDuty?: boolean;
}
