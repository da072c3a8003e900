import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import type { Actor } from '../auth/actor';
import { CurrentActor } from '../auth/auth.decorators';
import { CaseActionsService } from './case-actions.service';
import { CasesQueryService } from './cases-query.service';
import { ListCasesQuery, PublishResponseBody, SettleCaseBody } from './cases.dto';

@Controller('cases')
export class CasesController {
  constructor(
    private readonly queries: CasesQueryService,
    private readonly actions: CaseActionsService,
  ) {}

  @Get()
  list(@CurrentActor() actor: Actor, @Query() query: ListCasesQuery) {
    return this.queries.list(actor, { status: query.status, assignedToMe: query.mine, page: query.page, pageSize: query.pageSize });
  }

  @Get(':id')
  detail(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    return this.queries.detail(actor, id);
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  acknowledge(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    return this.actions.acknowledge(id, actor);
  }

  @Post(':id/responses')
  @HttpCode(200)
  respond(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Body() body: PublishResponseBody) {
    return this.actions.respond(id, actor, body);
  }

  @Post(':id/settle')
  @HttpCode(200)
  settle(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Body() body: SettleCaseBody) {
    return this.actions.settle(id, actor, body);
  }
}
