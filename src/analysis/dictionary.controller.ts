import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import type { Actor } from '../auth/actor';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { DictionaryService } from './dictionary.service';

export class AddTermBody {
  /** One word, e.g. a new compound's name or a local dispute term. */
  @IsString()
  @MinLength(2)
  @MaxLength(30)
  term: string;

  @IsOptional()
  @IsString()
  @MaxLength(200)
  note?: string;
}

/** The segmentation dictionary operators keep (besides config/lexicons). */
@Controller('dictionary')
@Roles('operator', 'admin')
export class DictionaryController {
  constructor(private readonly dictionary: DictionaryService) {}

  @Get()
  list() {
    return this.dictionary.list();
  }

  @Post()
  add(@CurrentActor() actor: Actor, @Body() body: AddTermBody) {
    return this.dictionary.add(body.term, body.note, actor);
  }

  @Delete(':term')
  @HttpCode(204)
  async remove(@Param('term') term: string): Promise<void> {
    await this.dictionary.remove(term);
  }
}
