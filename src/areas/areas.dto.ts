import { IsString, MaxLength, MinLength } from 'class-validator';

export class AddAliasBody {
  /** A compound, road, landmark or school name as residents write it. */
  @IsString()
  @MinLength(2)
  @MaxLength(40)
  alias: string;
}
