import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { Roles } from '../auth/auth.decorators';
import { AddAliasBody } from './areas.dto';
import { AreasService } from './areas.service';

/** The gazetteer: everyone reads the area tree; operators keep the aliases. */
@Controller('areas')
export class AreasController {
  constructor(private readonly areas: AreasService) {}

  @Get()
  tree() {
    return this.areas.treeWithAliases();
  }

  @Post(':id/aliases')
  @Roles('operator', 'admin')
  addAlias(@Param('id', ParseIntPipe) id: number, @Body() body: AddAliasBody) {
    return this.areas.addAlias(id, body.alias);
  }

  @Delete(':id/aliases/:alias')
  @Roles('operator', 'admin')
  @HttpCode(204)
  async removeAlias(@Param('id', ParseIntPipe) id: number, @Param('alias') alias: string): Promise<void> {
    await this.areas.removeAlias(id, alias);
  }
}
