import { Controller, Get, HttpCode, MessageEvent, Param, ParseIntPipe, Post, Sse } from '@nestjs/common';
import { map, Observable } from 'rxjs';
import type { Actor } from '../auth/actor';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { NotificationStream } from './notification-stream.service';
import { NotificationsQueryService } from './notifications-query.service';

@Controller('notifications')
export class NotificationsController {
  constructor(
    private readonly queries: NotificationsQueryService,
    private readonly stream: NotificationStream,
  ) {}

  /** My in-app notifications, newest first. */
  @Get()
  mine(@CurrentActor() actor: Actor) {
    return this.queries.mine(actor.id);
  }

  /** Server-sent events: my in-app notifications as they are delivered (event `notification`). */
  @Sse('stream')
  async live(@CurrentActor() actor: Actor): Promise<Observable<MessageEvent>> {
    return (await this.stream.forUser(actor.id)).pipe(map((m) => ({ type: 'notification', id: String(m.id), data: m })));
  }

  /** Messages that could not be delivered after every retry. */
  @Get('dead-letters')
  @Roles('admin')
  deadLetters() {
    return this.queries.deadLetters();
  }

  @Post(':id/retry')
  @Roles('admin')
  @HttpCode(200)
  retry(@Param('id', ParseIntPipe) id: number) {
    return this.queries.retry(id);
  }
}
