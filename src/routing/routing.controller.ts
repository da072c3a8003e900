import { Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Post } from '@nestjs/common';
import { Roles } from '../auth/auth.decorators';
import { ResponsibilityBody, TeamBody, TeamMemberBody } from './routing.dto';
import { RoutingMatrixService } from './routing-matrix.service';

/** The responsibility matrix: teams, members, and (area subtree, category) → team cells. */
@Controller('routing')
export class RoutingController {
  constructor(private readonly matrix: RoutingMatrixService) {}

  @Get('matrix')
  @Roles('admin', 'official', 'supervisor', 'operator')
  get() {
    return this.matrix.matrix();
  }

  @Post('teams')
  @Roles('admin')
  @HttpCode(200)
  team(@Body() body: TeamBody) {
    return this.matrix.upsertTeam(body);
  }

  @Post('teams/:id/members')
  @Roles('admin')
  @HttpCode(200)
  member(@Param('id', ParseIntPipe) id: number, @Body() body: TeamMemberBody) {
    return this.matrix.upsertMember(id, body);
  }

  @Post('responsibilities')
  @Roles('admin')
  @HttpCode(200)
  responsibility(@Body() body: ResponsibilityBody) {
    return this.matrix.addResponsibility(body);
  }

  @Delete('responsibilities/:id')
  @Roles('admin')
  @HttpCode(204)
  async remove(@Param('id', ParseIntPipe) id: number) {
    await this.matrix.removeResponsibility(id);
  }
}
