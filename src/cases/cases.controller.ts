import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Patch, Post, Query } from '@nestjs/common';
import type { Actor } from '../auth/actor';
import { AuditSubject, CurrentActor, Roles } from '../auth/auth.decorators';
import type { UserRole } from '../auth/user.entity';
import { NotificationsQueryService } from '../notify/notifications-query.service';
import { CaseActionsService } from './case-actions.service';
import { CaseClassificationService } from './case-classification.service';
import { CasePrivacyService } from './case-privacy.service';
import { CasesQueryService } from './cases-query.service';
import {
  ClassificationBody,
  CommentBody,
  CommitmentBody,
  HandOverAckBody,
  HandOverBody,
  ListCasesQuery,
  LogContactBody,
  MergeBody,
  PublishResponseBody,
  ReasonBody,
  ReassignBody,
  RevealBody,
  SettleCaseBody,
} from './cases.dto';
import { ResponseTemplates } from './response-templates.service';

/** The filters of a list query (GET /cases and GET /cases/summary). */
const filterOf = (query: ListCasesQuery) => ({ status: query.status, assignedToMe: query.mine, overdue: query.overdue, openedFrom: query.openedFrom, openedTo: query.openedTo });

/** Who may act on cases at all; the service then checks assignment and area scope. Operators only read. */
const CASE_ACTORS: UserRole[] = ['worker', 'supervisor', 'official', 'admin'];

/** Every action's audit entry holds the case as it was before and after. */
@AuditSubject('cases')
@Controller('cases')
export class CasesController {
  constructor(
    private readonly queries: CasesQueryService,
    private readonly actions: CaseActionsService,
    private readonly templates: ResponseTemplates,
    private readonly notifications: NotificationsQueryService,
    private readonly privacy: CasePrivacyService,
    private readonly classification: CaseClassificationService,
  ) {}

  /** The unmasked text of one post, for the assignee or the street supervisor, with a recorded reason. */
  @Post(':id/posts/:postId/reveal')
  @Roles('worker', 'supervisor')
  @HttpCode(200)
  reveal(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Param('postId', ParseIntPipe) postId: number, @Body() body: RevealBody) {
    return this.privacy.reveal(id, postId, actor, body.reason);
  }

  @Get()
  list(@CurrentActor() actor: Actor, @Query() query: ListCasesQuery) {
    return this.queries.list(actor, { ...filterOf(query), sort: query.sort, page: query.page, pageSize: query.pageSize });
  }

  /** The counters of the cases `GET /cases` would list with the same filters (all pages): total, open, unacknowledged, overdue, high; and asOf. */
  @Get('summary')
  summary(@CurrentActor() actor: Actor, @Query() query: ListCasesQuery) {
    return this.queries.summary(actor, filterOf(query));
  }

  @Get(':id')
  detail(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    return this.queries.detail(actor, id);
  }

  /** The response templates for this case's category, one per kind, and the variables each still needs. */
  @Get(':id/response-templates')
  async responseTemplates(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    return this.templates.forCase(await this.queries.visible(actor, id));
  }

  /** The delivery log: every notification about the case, to whom, when, and whether it arrived. */
  @Get(':id/notifications')
  async deliveryLog(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    await this.queries.visible(actor, id);
    return this.notifications.forCase(id);
  }

  @Post(':id/acknowledge')
  @Roles(...CASE_ACTORS)
  @HttpCode(200)
  acknowledge(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number) {
    return this.actions.acknowledge(id, actor);
  }

  @Post(':id/contacts')
  @Roles(...CASE_ACTORS)
  @HttpCode(200)
  logContact(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Body() body: LogContactBody) {
    return this.actions.logContact(id, actor, body);
  }

  @Post(':id/responses')
  @Roles(...CASE_ACTORS)
  @HttpCode(200)
  respond(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Body() body: PublishResponseBody) {
    return this.actions.respond(id, actor, body);
  }

  @Post(':id/commitments')
  @Roles(...CASE_ACTORS)
  @HttpCode(200)
  recordCommitment(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Body() body: CommitmentBody) {
    return this.actions.recordCommitment(id, actor, body);
  }

  @Post(':id/commitments/:commitmentId/fulfil')
  @Roles(...CASE_ACTORS)
  @HttpCode(200)
  fulfilCommitment(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Param('commitmentId', ParseIntPipe) commitmentId: number) {
    return this.actions.fulfilCommitment(id, commitmentId, actor);
  }

  @Post(':id/settle')
  @Roles(...CASE_ACTORS)
  @HttpCode(200)
  settle(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Body() body: SettleCaseBody) {
    return this.actions.settle(id, actor, body);
  }

  /** A false alarm: the verdict rules learn their precision from. */
  @Post(':id/dismiss')
  @Roles(...CASE_ACTORS)
  @HttpCode(200)
  dismiss(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Body() body: ReasonBody) {
    return this.actions.dismiss(id, actor, body);
  }

  @Post(':id/merge')
  @Roles(...CASE_ACTORS)
  @HttpCode(200)
  merge(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Body() body: MergeBody) {
    return this.actions.merge(id, actor, body);
  }

  @Post(':id/reopen')
  @Roles(...CASE_ACTORS)
  @HttpCode(200)
  reopen(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Body() body: ReasonBody) {
    return this.actions.reopen(id, actor, body);
  }

  @Post(':id/comments')
  @Roles(...CASE_ACTORS)
  @HttpCode(200)
  comment(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Body() body: CommentBody) {
    return this.actions.comment(id, actor, body);
  }

  @Post(':id/escalate')
  @Roles(...CASE_ACTORS)
  @HttpCode(200)
  escalate(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Body() body: ReasonBody) {
    return this.actions.escalate(id, actor, body);
  }

  @Post(':id/hand-over')
  @Roles(...CASE_ACTORS)
  @HttpCode(200)
  handOver(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Body() body: HandOverBody) {
    return this.actions.handOver(id, actor, body);
  }

  @Post(':id/hand-over/acknowledge')
  @Roles(...CASE_ACTORS)
  @HttpCode(200)
  acknowledgeHandover(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Body() body: HandOverAckBody) {
    return this.actions.acknowledgeHandover(id, actor, body);
  }

  @Post(':id/reassign')
  @Roles('supervisor', 'official', 'admin')
  @HttpCode(200)
  reassign(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Body() body: ReassignBody) {
    return this.actions.reassign(id, actor, body);
  }

  /** Corrects the category and/or area (routing is not redone); the category becomes a training label of the posts. */
  @Patch(':id/classification')
  @Roles(...CASE_ACTORS)
  reclassify(@CurrentActor() actor: Actor, @Param('id', ParseIntPipe) id: number, @Body() body: ClassificationBody) {
    return this.classification.reclassify(id, actor, body);
  }
}
