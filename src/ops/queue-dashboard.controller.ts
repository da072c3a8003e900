import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Actor } from '../auth/actor';
import { CurrentActor, Roles } from '../auth/auth.decorators';
import { QueueDashboardTokens } from './queue-dashboard-tokens';
import { DASHBOARD_COOKIE, DASHBOARD_PATH } from './queue-dashboard.policy';

export class QueueDashboardSessionDto {
  /** Where the dashboard is (open it in the same browser). */
  url: string;
  expiresAt: string;
}

/** Opens the queue dashboard for an admin: its cookie (HttpOnly, SameSite=Strict, Path=/admin/queues). */
@Controller('ops/queues')
export class QueueDashboardController {
  constructor(private readonly tokens: QueueDashboardTokens) {}

  @Post('session')
  @Roles('admin')
  @HttpCode(200)
  async session(@CurrentActor() actor: Actor, @Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<QueueDashboardSessionDto> {
    const token = await this.tokens.issue(actor);
    res.cookie(DASHBOARD_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      path: DASHBOARD_PATH,
      maxAge: this.tokens.ttlSeconds * 1000,
      secure: req.secure,
    });
    return { url: `${DASHBOARD_PATH}/`, expiresAt: new Date(Date.now() + this.tokens.ttlSeconds * 1000).toISOString() };
  }
}
